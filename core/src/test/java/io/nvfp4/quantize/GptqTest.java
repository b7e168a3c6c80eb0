package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static io.nvfp4.quantize.QuantizerPropertiesTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GPTQ: plain rounding where inputs do not correlate, lower output error where they do, and its refusals. */
class GptqTest {
    @Provide
    Arbitrary<Quantizer> quantizers() {
        return Arbitraries.of(List.of(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT), Quantizer.nvfp4(Nvfp4Recipe.TORCHAO),
                Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleRule(ScaleRule.MSE_SEARCH),
                Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS).withScaleRule(ScaleRule.MSE_SEARCH),
                Quantizer.nvfp4(Nvfp4Recipe.TORCHAO).withScaleRule(ScaleRule.FOUR_OVER_SIX),
                Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS), Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS_BF16),
                Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP), Quantizer.mx(BlockFormat.MXFP4, MxRecipe.MICROXCALING),
                Quantizer.mx(BlockFormat.MXFP6_E2M3), Quantizer.mx(BlockFormat.MXFP8_E4M3),
                Quantizer.mx(BlockFormat.MXINT8)));
    }

    @Provide
    Arbitrary<Samples> weights() {
        return Samples.weights(8);
    }

    /**
     * Uncorrelated inputs (a diagonal H) leave nothing to compensate: GPTQ is then exactly the
     * quantizer's own round to nearest, bytes, scales and tensor scale, ragged K included, whatever
     * its scale rule.
     */
    @Property(tries = 200)
    void aDiagonalHessianGivesThePlainQuantizersBytes(@ForAll("quantizers") Quantizer quantizer,
                                                       @ForAll("weights") Samples w) {
        SplittableRandom random = new SplittableRandom(w.seed());
        float[] diagonal = new float[w.columns() * w.columns()];
        for (int i = 0; i < w.columns(); i++) {
            diagonal[i * w.columns() + i] = (float) (0.1 + random.nextDouble() * 4);
        }
        Gptq.Hessian h = new Gptq.Hessian(w.columns());
        h.accumulate(FloatMatrix.of(diagonal, w.columns(), w.columns()));

        QuantizedMatrix gptq = Gptq.of(quantizer).quantize(FloatMatrix.of(w.values(), w.rows(), w.columns()), h);
        QuantizedMatrix plain = quantizer.quantize(w.values(), w.rows(), w.columns());
        assertThat(gptq.tensorScale()).isEqualTo(plain.tensorScale());
        assertThat(bytes(gptq.codes())).isEqualTo(bytes(plain.codes()));
        assertThat(bytes(gptq.scales())).isEqualTo(bytes(plain.scales()));
    }

    /**
     * On correlated inputs GPTQ's output error on the calibration inputs, |X W^T - X Q^T|^2, is well
     * below plain rounding's. Fixed seeds: GPTQ is a greedy method, not an optimum, so this is a
     * measurement with a margin, not a theorem.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void correlatedInputsGetALowerOutputErrorThanPlainRounding(long seed) {
        int n = 24;
        int k = 80; // five NVFP4 blocks, two and a half MX blocks: a ragged MX tail
        int samples = 400;
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = correlatedInputs(random, samples, k);
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Gptq.Hessian h = new Gptq.Hessian(k);
        h.accumulate(FloatMatrix.of(x, samples, k));
        for (Quantizer quantizer : List.of(Quantizer.nvfp4(), Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH),
                Quantizer.mx(BlockFormat.MXFP4))) {
            QuantizedMatrix gptq = Gptq.of(quantizer).quantize(FloatMatrix.of(w, n, k), h);
            QuantizedMatrix plain = quantizer.quantize(w, n, k);
            double gptqError = outputError(x, samples, w, Dequantizer.dequantize(gptq), n, k);
            double plainError = outputError(x, samples, w, Dequantizer.dequantize(plain), n, k);
            assertThat(gptqError).as("%s seed %d", quantizer.format(), seed).isLessThan(0.8 * plainError);
        }
    }

    @Test
    void theBytesDoNotDependOnTheThreadCount() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int n = 40;
        int k = 48;
        float[] x = correlatedInputs(random, 100, k);
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Gptq.Hessian h = new Gptq.Hessian(k);
        h.accumulate(FloatMatrix.of(x, 100, k));
        Gptq gptq = Gptq.of(Quantizer.nvfp4());
        QuantizedMatrix parallel = gptq.quantize(FloatMatrix.of(w, n, k), h);
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            QuantizedMatrix serial = one.submit(() -> gptq.quantize(FloatMatrix.of(w, n, k), h)).get();
            assertThat(bytes(serial.codes())).isEqualTo(bytes(parallel.codes()));
            assertThat(bytes(serial.scales())).isEqualTo(bytes(parallel.scales()));
        } finally {
            one.shutdown();
        }
    }

    /** An input that is zero in every sample gets its column rounded on its own, not a failed factorisation. */
    @Test
    void anInputThatNeverFiresIsRoundedPlainly() {
        int k = 32;
        float[] x = correlatedInputs(new SplittableRandom(5), 64, k);
        for (int s = 0; s < 64; s++) {
            x[s * k + 3] = 0;
        }
        Gptq.Hessian h = new Gptq.Hessian(k);
        h.accumulate(FloatMatrix.of(x, 64, k));
        float[] w = new float[2 * k];
        java.util.Arrays.fill(w, 0.3f);
        QuantizedMatrix q = Gptq.of(Quantizer.nvfp4()).quantize(FloatMatrix.of(w, 2, k), h);
        assertThat(q.rows()).isEqualTo(2);
    }

    @Test
    void refusesWhatItCannotKeep() {
        Gptq.Hessian h = new Gptq.Hessian(16);
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4(Nvfp4Recipe.GGML))).hasMessageContaining("GGML");
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4().withStochasticRounding(1)))
                .hasMessageContaining("stochastic");
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4().withBlockShape(BlockShape.TILE_16X16)))
                .hasMessageContaining("TILE_16X16");
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4().withRotation(new RandomHadamard(1))))
                .hasMessageContaining("rotation");
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4()).withDamping(0)).hasMessageContaining("damping");
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4()).quantize(FloatMatrix.of(new float[16], 1, 16), h))
                .hasMessageContaining("no calibration samples");
        h.accumulate(FloatMatrix.of(new float[32], 2, 16));
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4()).quantize(FloatMatrix.of(new float[32], 1, 32), h))
                .hasMessageContaining("K = 32");
        float[] nan = new float[16];
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> Gptq.of(Quantizer.nvfp4()).quantize(FloatMatrix.of(nan, 1, 16), h))
                .hasMessageContaining("column 5").hasMessageContaining("NaN");
        assertThatThrownBy(() -> h.accumulate(FloatMatrix.of(nan, 1, 16))).hasMessageContaining("column 5");
        assertThatThrownBy(() -> h.accumulate(FloatMatrix.of(new float[8], 1, 8))).hasMessageContaining("8 features");
        assertThatThrownBy(() -> new Gptq.Hessian(0)).hasMessageContaining("1 to 16384");
    }

    /** U^T U H = I for random symmetric positive definite H. */
    @Property(tries = 40)
    void theFactorIsTheUpperCholeskyFactorOfTheInverse(@ForAll("sizes") int k, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] a = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                a[i][j] = random.nextGaussian();
            }
        }
        double[][] h = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = i == j ? k : 0;
                for (int t = 0; t < k; t++) {
                    s += a[i][t] * a[j][t];
                }
                h[i][j] = s;
            }
        }
        double[][] copy = new double[k][];
        for (int i = 0; i < k; i++) {
            copy[i] = h[i].clone();
        }
        double[][] u = InverseCholesky.upperOfInverse(copy, k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                assertThat(u[i][j]).isZero();
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0; // (U^T U H)[i][j]
                for (int t = 0; t < k; t++) {
                    double utu = 0;
                    for (int m = 0; m < k; m++) {
                        utu += u[m][i] * u[m][t];
                    }
                    s += utu * h[t][j];
                }
                assertThat(s).isCloseTo(i == j ? 1 : 0, org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(1, 24);
    }

    /** Rows of x mix a few shared factors with a little noise, so that input features correlate strongly. */
    private static float[] correlatedInputs(SplittableRandom random, int samples, int k) {
        int factors = 6;
        double[][] mixing = new double[factors][k];
        for (double[] m : mixing) {
            for (int c = 0; c < k; c++) {
                m[c] = random.nextGaussian();
            }
        }
        float[] x = new float[samples * k];
        for (int s = 0; s < samples; s++) {
            double[] z = new double[factors];
            for (int f = 0; f < factors; f++) {
                z[f] = random.nextGaussian();
            }
            for (int c = 0; c < k; c++) {
                double v = 0.3 * random.nextGaussian();
                for (int f = 0; f < factors; f++) {
                    v += z[f] * mixing[f][c];
                }
                x[s * k + c] = (float) v;
            }
        }
        return x;
    }

    private static double outputError(float[] x, int samples, float[] w, float[] q, int n, int k) {
        double sum = 0;
        for (int s = 0; s < samples; s++) {
            for (int o = 0; o < n; o++) {
                double d = 0;
                for (int c = 0; c < k; c++) {
                    d += x[s * k + c] * ((double) w[o * k + c] - q[o * k + c]);
                }
                sum += d * d;
            }
        }
        return sum;
    }
}
