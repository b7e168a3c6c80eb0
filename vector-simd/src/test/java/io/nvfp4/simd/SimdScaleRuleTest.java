package io.nvfp4.simd;

import io.nvfp4.format.ElementType;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;
import io.nvfp4.quantize.BlockShape;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.RandomHadamard;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.testkit.Distribution;
import io.nvfp4.testkit.Tensor;
import io.nvfp4.testkit.TensorArbitrary;
import io.nvfp4.testkit.Tensors;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.nvfp4.simd.SimdQuantizeTest.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vector Four Over Six and MSE search choose exactly the scalar {@link Quantizer}'s scale bytes,
 * for every recipe that takes a scale rule. Each case runs {@link SimdQuantizer} itself (not the
 * backend, which could fall back) against {@code Quantizer.quantize}.
 */
class SimdScaleRuleTest {
    private static final Nvfp4Recipe[] RECIPES = {Nvfp4Recipe.MODELOPT, Nvfp4Recipe.TORCHAO,
            Nvfp4Recipe.COMPRESSED_TENSORS, Nvfp4Recipe.COMPRESSED_TENSORS_BF16};
    private static final ScaleRule[] RULES = {ScaleRule.FOUR_OVER_SIX, ScaleRule.MSE_SEARCH};

    @Provide
    Arbitrary<Quantizer> ruleQuantizers() {
        List<Quantizer> all = new ArrayList<>();
        for (Nvfp4Recipe recipe : RECIPES) {
            for (ScaleRule rule : RULES) {
                all.add(Quantizer.nvfp4(recipe).withScaleRule(rule));
            }
        }
        return Arbitraries.of(all);
    }

    @Provide
    Arbitrary<Weights> weights() {
        return Weights.of(40, 300);
    }

    /** Ragged K, zero and tiny blocks, outliers, exact powers of two and E2M1 midpoints (see {@link Weights}). */
    @Tag("width")
    @Property(tries = 300)
    void bytesEqualTheScalarQuantizer(@ForAll("ruleQuantizers") Quantizer quantizer, @ForAll("weights") Weights w) {
        assertVectorPathMatches(quantizer, FloatMatrix.of(w.values(), w.rows(), w.columns()));
    }

    @Provide
    Arbitrary<Tensor> heavyTailed() {
        return Tensors.tensors(1, 24, 1, 260).distribution(Distribution.STUDENT_T3, Distribution.LAPLACE,
                Distribution.NORMAL, Distribution.UNIFORM).withOutliers(0.01).withZeroBlocks(16, 0.1);
    }

    @Provide
    Arbitrary<Tensor> subnormalScales() {
        return Tensors.tensors(1, 24, 17, 260).withZeroBlocks(16, 0.1).nearE4m3SubnormalScales();
    }

    @Tag("width")
    @Property(tries = 150)
    void heavyTailsOutliersAndZeroBlocks(@ForAll("ruleQuantizers") Quantizer quantizer,
                                         @ForAll("heavyTailed") Tensor t) {
        assertVectorPathMatches(quantizer, t.matrix());
    }

    /** Blocks whose E4M3 scale is subnormal: candidates one code apart differ by up to a factor 2 there. */
    @Tag("width")
    @Property(tries = 150)
    void blocksNearSubnormalScales(@ForAll("ruleQuantizers") Quantizer quantizer,
                                   @ForAll("subnormalScales") Tensor t) {
        assertVectorPathMatches(quantizer, t.matrix());
    }

    /** A calibrated amax below the data saturates scales at 448 and elements at 6; scales swizzled. */
    @Property(tries = 40)
    void calibratedAmaxAndSwizzledScales(@ForAll("ruleQuantizers") Quantizer quantizer,
                                         @ForAll("weights") Weights w) {
        FloatMatrix input = FloatMatrix.of(w.values(), w.rows(), w.columns());
        float amax = new Tensor(w.rows(), w.columns(), w.values(), "weights").amax();
        float calibrated = amax > 0 ? amax * 0.3f : 1f;
        assertVectorPathMatches(quantizer.withTensorAmax(calibrated).withScaleLayout(ScaleLayout.SWIZZLED_128X4),
                input);
    }

    /**
     * Exact ties. A block {6 u, 0, ...}: the "4" scale is 1.5 times the "6" one, 6 u / 1.5 = 4 u is
     * exact too, both errors are 0 and Four Over Six keeps 6; MSE search stops at the reference's zero
     * error. All-zero blocks and blocks of E2M1 midpoints (ties in the element rounding) around them.
     */
    @Test
    void tiesKeepTheReferenceChoice() {
        int rows = 3;
        int columns = 16 * 20 + 5;
        float[] v = new float[rows * columns];
        float[] midpoints = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f};
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b * 16 < columns; b++) {
                float unit = Math.scalb(1f, b % 7 - 3);
                for (int i = 0; i < 16 && b * 16 + i < columns; i++) {
                    float x = switch (b % 4) {
                        case 0 -> i == 0 ? 6 * unit : 0;
                        case 1 -> 0;
                        case 2 -> (i == 0 ? 6 : midpoints[i % 7]) * unit * (i % 2 == 0 ? 1 : -1);
                        default -> (i == 0 ? 6 : midpoints[i % 7] * 4 / 6) * unit;
                    };
                    v[r * columns + b * 16 + i] = x;
                }
            }
        }
        FloatMatrix input = FloatMatrix.of(v, rows, columns);
        for (Quantizer q : quantizers()) {
            assertVectorPathMatches(q, input);
        }
    }

    /** The all-zero tensor: tensor scale 1, every block its recipe's zero-block rule, every error 0. */
    @Test
    void allZeroTensor() {
        FloatMatrix zeros = FloatMatrix.of(new float[5 * 70], 5, 70);
        for (Quantizer q : quantizers()) {
            assertVectorPathMatches(q, zeros);
        }
    }

    /**
     * Tensor scales at the edges of fp32: torchao's 1 / g near the fp32 maximum (a clamped 2^-6 scale
     * makes its element factor infinite, and a zero element NaN), compressed-tensors' factor near
     * overflow, modelopt's s * g underflowing to 0 (every element code NaN or infinite).
     */
    @Test
    void extremeTensorScales() {
        float[] v = Weights.generate(4, 100, 11).values();
        for (int i = 0; i < v.length; i += 7) {
            v[i] = 0;
        }
        FloatMatrix input = FloatMatrix.of(v, 4, 100);
        float[] amaxes = {2688f * 0x1p-126f, 2688f * 0x1p-125f, 0x1p-140f, 1e-38f, 3e38f, 1e30f};
        for (Quantizer q : quantizers()) {
            for (float a : amaxes) {
                Quantizer calibrated;
                try {
                    calibrated = q.withTensorAmax(a);
                    calibrated.tensorScaleFor(0);
                } catch (IllegalArgumentException refused) { // an amax the recipe cannot scale
                    continue;
                }
                assertVectorPathMatches(calibrated, input);
            }
        }
    }

    @Test
    void otherOptionsFallBackToTheScalarQuantizer() {
        for (Quantizer q : quantizers()) {
            assertThat(SimdQuantizer.accepts(q)).as(q.toString()).isTrue();
            assertThat(SimdQuantizer.accepts(q.withBlockShape(BlockShape.TILE_16X16))).isFalse();
            assertThat(SimdQuantizer.accepts(q.withRotation(new RandomHadamard(3)))).isFalse();
        }
        assertThat(SimdQuantizer.accepts(Quantizer.nvfp4().withStochasticRounding(5))).isFalse();
        assertThat(SimdQuantizer.accepts(Quantizer.nvfp4().withRotation(new RandomHadamard(3)))).isFalse();
        assertThat(SimdQuantizer.accepts(Quantizer.nvfp4().withTensorAmax(2f))).isTrue();
        // through the backend the fallbacks still give the scalar bytes
        SimdBackend simd = new SimdBackend();
        FloatMatrix input = FloatMatrix.of(Weights.generate(20, 64, 5).values(), 20, 64);
        for (Quantizer q : new Quantizer[] {
                Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH).withBlockShape(BlockShape.TILE_16X16),
                Quantizer.nvfp4(Nvfp4Recipe.TORCHAO).withScaleRule(ScaleRule.FOUR_OVER_SIX)
                        .withRotation(new RandomHadamard(9))}) {
            assertSameBytes(simd.quantize(q, input), q.quantize(input));
        }
    }

    /**
     * {@link SimdScaleRules#nearestE2M1} against the scalar element code and decode at every E2M1
     * rounding boundary, one ulp either side, and the special values.
     */
    @Test
    void nearestE2M1IsTheDecodedReferenceCode() {
        List<Float> qs = new ArrayList<>();
        float[] boundaries = {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 2f, 2.5f, 3f, 3.5f, 4f, 5f, 6f, 7f, 8f,
                Float.MIN_VALUE, Float.MIN_NORMAL, 0.999999f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (float b : boundaries) {
            for (float x : new float[] {b, Math.nextUp(b), Math.nextDown(b)}) {
                qs.add(x);
                qs.add(-x);
            }
        }
        qs.add(Float.NaN);
        qs.add(Float.intBitsToFloat(0xFFC00000)); // the NaN x86 makes of 0 * Inf, sign bit set
        qs.add(Float.intBitsToFloat(0x7FFFFFFF));
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            qs.add((float) (random.nextGaussian() * 3));
        }
        int lanes = Vec.L;
        float[] in = new float[Math.ceilDiv(qs.size(), lanes) * lanes];
        for (int i = 0; i < qs.size(); i++) {
            in[i] = qs.get(i);
        }
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i += lanes) {
            SimdScaleRules.nearestE2M1(FloatVector.fromArray(Vec.F, in, i)).intoArray(out, i);
        }
        for (int i = 0; i < in.length; i++) {
            float q = in[i];
            int code = Float.isNaN(q) ? 7 : ElementType.E2M1.encode(q, Ties.EVEN, ZeroSign.NEGATIVE);
            float expected = ElementType.E2M1.decode(code);
            // a zero's sign never changes an error: compare zeros by value
            boolean same = expected == 0 ? out[i] == 0
                    : Float.floatToRawIntBits(out[i]) == Float.floatToRawIntBits(expected);
            assertThat(same).as("E2M1 of %s (0x%08x): %s, the reference %s", q, Float.floatToRawIntBits(q), out[i],
                    expected).isTrue();
        }
    }

    private static List<Quantizer> quantizers() {
        List<Quantizer> all = new ArrayList<>();
        for (Nvfp4Recipe recipe : RECIPES) {
            for (ScaleRule rule : RULES) {
                all.add(Quantizer.nvfp4(recipe).withScaleRule(rule));
            }
        }
        return all;
    }

    /**
     * Found by {@link #bytesEqualTheScalarQuantizer}: a matrix whose every element is tiny has a
     * subnormal tensor amax that no recipe can scale. Both paths must refuse it with the same message.
     */
    @Test
    void aTensorTooSmallToScaleIsRefusedByBothPaths() {
        for (Quantizer quantizer : quantizers()) {
            assertVectorPathMatches(quantizer, FloatMatrix.of(new float[] {2.8e-45f, 0f, -1.4e-45f}, 1, 3));
        }
    }

    private static void assertVectorPathMatches(Quantizer quantizer, FloatMatrix input) {
        assertThat(SimdQuantizer.accepts(quantizer)).as(quantizer.toString()).isTrue();
        io.nvfp4.tensor.QuantizedMatrix expected;
        try {
            expected = quantizer.quantize(input);
        } catch (IllegalArgumentException refused) {
            assertThatThrownBy(() -> SimdQuantizer.quantize(quantizer, input)).as(quantizer.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(refused.getMessage());
            return;
        }
        assertSameBytes(SimdQuantizer.quantize(quantizer, input), expected);
    }
}
