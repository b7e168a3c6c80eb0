package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static io.nvfp4.quantize.QuantizerPropertiesTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scale rules, stochastic rounding, 16 x 16 tiles, the Hadamard rotation and per-expert scales. */
class AccuracyOptionsTest {
    private static final List<Nvfp4Recipe> TUNABLE = List.of(Nvfp4Recipe.MODELOPT, Nvfp4Recipe.TORCHAO,
            Nvfp4Recipe.COMPRESSED_TENSORS, Nvfp4Recipe.COMPRESSED_TENSORS_BF16);

    @Provide
    Arbitrary<Nvfp4Recipe> recipes() {
        return Arbitraries.of(TUNABLE);
    }

    @Provide
    Arbitrary<Samples> weights() {
        return Samples.weights(8);
    }

    /** MSE search keeps the reference scale unless another has strictly lower error: never worse, block by block. */
    @Property(tries = 150)
    void mseSearchIsNeverWorseThanTheReferenceOnAnyBlock(@ForAll("recipes") Nvfp4Recipe recipe,
                                                         @ForAll("weights") Samples x) {
        QuantizedMatrix reference = Quantizer.nvfp4(recipe).quantize(x.values(), x.rows(), x.columns());
        QuantizedMatrix searched = Quantizer.nvfp4(recipe).withScaleRule(ScaleRule.MSE_SEARCH)
                .quantize(x.values(), x.rows(), x.columns());
        assertThat(searched.tensorScale()).isEqualTo(reference.tensorScale());
        for (int r = 0; r < x.rows(); r++) {
            for (int b = 0; b < reference.blocksPerRow(); b++) {
                assertThat(blockError(searched, x, r, b)).as("%s %s row %d block %d", recipe, x, r, b)
                        .isLessThanOrEqualTo(blockError(reference, x, r, b));
            }
        }
    }

    /** Four Over Six keeps "4" only when it beats its own "6" candidate (same tensor scale) on that block. */
    @Property(tries = 150)
    void fourOverSixIsNeverWorseThanItsSixCandidate(@ForAll("recipes") Nvfp4Recipe recipe,
                                                    @ForAll("weights") Samples x) {
        QuantizedMatrix q = Quantizer.nvfp4(recipe).withScaleRule(ScaleRule.FOUR_OVER_SIX)
                .quantize(x.values(), x.rows(), x.columns());
        float amax = QuantizerPropertiesTest.maxAbs(x.values());
        float g = q.tensorScale();
        if (amax > 0) {
            assertThat(g).isEqualTo(Nvfp4Reference.tensorScale(recipe, amax, 1536f));
        }
        float[] row = new float[(int) q.paddedColumns()];
        for (int r = 0; r < x.rows(); r++) {
            System.arraycopy(x.values(), r * x.columns(), row, 0, x.columns());
            for (int b = 0; b < q.blocksPerRow(); b++) {
                float blockAmax = 0;
                for (int i = 0; i < 16; i++) {
                    blockAmax = Math.max(blockAmax, Math.abs(row[b * 16 + i]));
                }
                int six = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 6f);
                int four = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 4f);
                assertThat(q.scaleCode(r, b)).isIn(six, four);
                double chosen = blockError(q, x, r, b);
                double sixError = errorWithScale(recipe, row, b, six, g);
                assertThat(chosen).isLessThanOrEqualTo(sixError);
            }
        }
    }

    @Test
    void bothRulesGainOnHeavyTailedWeights() {
        float[] studentT = studentT3(64 * 512, 17);
        double reference = totalError(Quantizer.nvfp4(), studentT);
        double mse = totalError(Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH), studentT);
        double fourSix = totalError(Quantizer.nvfp4().withScaleRule(ScaleRule.FOUR_OVER_SIX), studentT);
        assertThat(mse).isLessThan(reference * 0.97);
        assertThat(fourSix).isLessThan(reference);
    }

    @Test
    void stochasticRoundingIsSeededUnbiasedAndThreadIndependent() throws Exception {
        Samples s = Samples.generate(40, 96, 3, 4);
        Quantizer quantizer = Quantizer.nvfp4().withStochasticRounding(99);
        byte[] common = bytes(quantizer.quantize(s.values(), 40, 96).codes());
        byte[] oneThread;
        try (ForkJoinPool single = new ForkJoinPool(1)) {
            oneThread = single.submit(() -> bytes(quantizer.quantize(s.values(), 40, 96).codes())).get();
        }
        assertThat(oneThread).isEqualTo(common);
        assertThat(bytes(Quantizer.nvfp4().withStochasticRounding(100).quantize(s.values(), 40, 96).codes()))
                .isNotEqualTo(common);

        // Each element lands on one of its two grid neighbours, and the mean over seeds approaches x.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = 0.3f + i * 0.35f; // amax 5.55: scale ~ 5.55 / 6
        }
        int seeds = 4000;
        double[] mean = new double[16];
        for (int seed = 0; seed < seeds; seed++) {
            float[] dq = Dequantizer.dequantize(Quantizer.nvfp4().withTensorAmax(5.55f)
                    .withStochasticRounding(seed).quantize(x, 1, 16));
            for (int i = 0; i < 16; i++) {
                mean[i] += dq[i] / seeds;
            }
        }
        QuantizedMatrix nearest = Quantizer.nvfp4().withTensorAmax(5.55f).quantize(x, 1, 16);
        float f = nearest.blockFactor(0, 0);
        for (int i = 0; i < 16; i++) {
            // Bernoulli mean: standard error <= step / (2 sqrt(seeds)); allow 5 standard errors.
            double step = 2 * f;
            assertThat(Math.abs(mean[i] - x[i])).as("element %d", i).isLessThan(5 * step / (2 * Math.sqrt(seeds)));
        }
    }

    @Test
    void tilesMakeWAndItsTransposeQuantizeAlike() {
        int n = 48;
        int k = 32;
        Samples s = Samples.generate(n, k, 8, 6);
        float[] transposed = new float[n * k];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                transposed[c * n + r] = s.values()[r * k + c];
            }
        }
        Quantizer tiles = Quantizer.nvfp4().withBlockShape(BlockShape.TILE_16X16);
        float[] w = Dequantizer.dequantize(tiles.quantize(s.values(), n, k));
        float[] wt = Dequantizer.dequantize(tiles.quantize(transposed, k, n));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                assertThat(wt[c * n + r]).as("(%d, %d)", r, c).isEqualTo(w[r * k + c]);
            }
        }
        QuantizedMatrix q = tiles.quantize(s.values(), n, k);
        for (int r = 0; r < n; r++) {
            assertThat(q.scaleCode(r, 1)).isEqualTo(q.scaleCode(r / 16 * 16, 1));
        }
    }

    @Test
    void theHadamardRotationIsInvertibleAndKeepsDotProducts() {
        RandomHadamard h = new RandomHadamard(7);
        float[] a = Samples.generate(3, 64, 1, 0).values();
        float[] b = Samples.generate(3, 64, 2, 0).values();
        float[] back = h.inverseRows(h.forwardRows(a, 3, 64), 3, 64);
        for (int i = 0; i < a.length; i++) {
            assertThat(back[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(a[i]))));
        }
        float[] ra = h.forwardRows(a, 3, 64);
        float[] rb = h.forwardRows(b, 3, 64);
        double dot = 0;
        double rotatedDot = 0;
        for (int i = 0; i < 64; i++) {
            dot += (double) a[i] * b[i];
            rotatedDot += (double) ra[i] * rb[i];
        }
        assertThat(rotatedDot).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-4));
        // An outlier is spread over its group: one-hot becomes 16 values of magnitude 1/4.
        float[] oneHot = new float[16];
        oneHot[5] = 1;
        h.forward(oneHot, 0, 16);
        for (float v : oneHot) {
            assertThat(Math.abs(v)).isEqualTo(0.25f);
        }
        QuantizedMatrix rotated = Quantizer.nvfp4().withRotation(h).quantize(a, 3, 64);
        float[] restored = h.inverseRows(Dequantizer.dequantize(rotated), 3, 64);
        assertThat(restored).hasSize(a.length);
        assertThatThrownBy(() -> Quantizer.nvfp4().withRotation(h).quantize(new float[20], 1, 20))
                .hasMessageContaining("multiple of 16");
    }

    @Test
    void expertsGetTheirOwnTensorScales() {
        float[] data = new float[3 * 4 * 32];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i) * (1 + i / 128); // expert e has amax about e + 1
        }
        List<QuantizedMatrix> experts = Quantizer.nvfp4().quantizeExperts(MemorySegment.ofArray(data), DType.F32, 3, 4, 32);
        assertThat(experts).hasSize(3);
        for (int e = 0; e < 3; e++) {
            float[] slice = java.util.Arrays.copyOfRange(data, e * 128, (e + 1) * 128);
            assertThat(bytes(experts.get(e).codes())).isEqualTo(bytes(Quantizer.nvfp4().quantize(slice, 4, 32).codes()));
        }
        assertThat(experts.get(0).tensorScale()).isNotEqualTo(experts.get(2).tensorScale());
        assertThatThrownBy(() -> Quantizer.nvfp4().quantizeExperts(MemorySegment.ofArray(data), DType.F32, 2, 4, 32))
                .hasMessageContaining("needs");
    }

    @Test
    void combinationsThatCannotHoldTheirPromiseAreRejected() {
        assertThatThrownBy(() -> Quantizer.mx(BlockFormat.MXFP4).withScaleRule(ScaleRule.MSE_SEARCH))
                .hasMessageContaining("NVFP4 only");
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.GGML).withScaleRule(ScaleRule.FOUR_OVER_SIX))
                .hasMessageContaining("ggml");
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.GGML).withStochasticRounding(1))
                .hasMessageContaining("ggml");
        assertThatThrownBy(() -> Quantizer.nvfp4().withStochasticRounding(1).withScaleRule(ScaleRule.MSE_SEARCH))
                .hasMessageContaining("random");
        assertThatThrownBy(() -> Quantizer.nvfp4().withScaleRule(ScaleRule.FOUR_OVER_SIX).withStochasticRounding(1))
                .hasMessageContaining("deterministic");
        assertThatThrownBy(() -> Quantizer.mx(BlockFormat.MXFP4).withBlockShape(BlockShape.TILE_16X16))
                .hasMessageContaining("NVFP4 only");
        assertThat(Quantizer.nvfp4().reproducesReference()).isTrue();
        assertThat(Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH).reproducesReference()).isFalse();
        assertThat(Quantizer.mx(BlockFormat.MXFP4).withStochasticRounding(3).stochasticSeed()).hasValue(3);
    }

    private static double totalError(Quantizer quantizer, float[] values) {
        float[] dq = Dequantizer.dequantize(quantizer.quantize(values, 64, 512));
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - dq[i];
            sum += d * d;
        }
        return sum;
    }

    private static float[] studentT3(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double chi2 = 0;
            for (int j = 0; j < 3; j++) {
                double g = r.nextGaussian();
                chi2 += g * g;
            }
            v[i] = (float) (r.nextGaussian() / Math.sqrt(chi2 / 3));
        }
        return v;
    }

    private static double blockError(QuantizedMatrix q, Samples x, int r, int b) {
        double sum = 0;
        for (int c = b * 16; c < Math.min(x.columns(), (b + 1) * 16); c++) {
            double d = x.values()[r * x.columns() + c] - q.get(r, c);
            sum += d * d;
        }
        return sum;
    }

    private static double errorWithScale(Nvfp4Recipe recipe, float[] row, int b, int scale, float g) {
        float k = Nvfp4Reference.elementDivisorOrFactor(recipe, ElementType.E4M3.decode(scale), g);
        float factor = QuantizedMatrix.blockFactor(BlockFormat.NVFP4, recipe, scale, g);
        double sum = 0;
        for (int i = b * 16; i < (b + 1) * 16; i++) {
            double d = row[i] - ElementType.E2M1.decode(Nvfp4Reference.elementCode(recipe, row[i], k)) * factor;
            sum += d * d;
        }
        return sum;
    }
}
