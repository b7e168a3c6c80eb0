package io.nvfp4.simd;

import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static io.nvfp4.simd.Vec.D;
import static io.nvfp4.simd.Vec.F;
import static io.nvfp4.simd.Vec.I;
import static io.nvfp4.simd.Vec.L;

/**
 * The NVFP4 scale rules {@link ScaleRule#FOUR_OVER_SIX} and {@link ScaleRule#MSE_SEARCH} with vectors,
 * choosing exactly the scale bytes of the scalar {@link Quantizer} (its {@code quantizeBlock} and
 * {@code blockError} are the reference this is tested against). Not for GGML, which takes no rule.
 *
 * <p>Both rules quantize a block with candidate scale bytes and keep the lowest squared error, which the
 * reference sums in double, element after element. Summing a block's sixteen errors across lanes would
 * round differently, and a near tie could then choose another byte; so here the lanes are blocks, not
 * elements. Each row is transposed once (element i of block b at {@code transposed[i * stride + b]}),
 * and every lane adds up its own block's errors in element order with the reference's operations:
 * the fp32 element constant and scaling, the E2M1 rounding, {@code value * factor} in fp32, and
 * {@code (double) x - v}, squared and added in double. The search over the candidates' errors then
 * runs block by block, with the reference's comparisons and its early exit.
 *
 * <p>An instance holds one task's scratch arrays: not thread-safe.
 */
final class SimdScaleRules {
    private static final int MSE_BELOW = ScaleRule.MSE_CODES_BELOW;
    private static final int MSE_ABOVE = ScaleRule.MSE_CODES_ABOVE;
    /** The candidates of one MSE search; candidate j is the reference code + j - {@link #MSE_BELOW}. */
    private static final int MSE_CANDIDATES = MSE_BELOW + 1 + MSE_ABOVE;
    private static final int E4M3_MAX_CODE = 0x7E;

    private final ScaleRule rule;
    private final int blocks;
    /** Blocks rounded up to whole vectors: the lanes past {@link #blocks} hold zeros. */
    private final int stride;
    private final float[] transposed;
    /** The error sums: candidate c of block b at {@code errors[c * stride + b]}. */
    private final double[] errors;
    /** Four Over Six's "4" candidates (the "6" ones wait in the scale codes); one MSE candidate's codes. */
    private final int[] candidates;
    /** The element constants of the candidate being evaluated. */
    private final float[] candidateConstants;

    SimdScaleRules(ScaleRule rule, int blocks) {
        if (rule == ScaleRule.REFERENCE) {
            throw new IllegalArgumentException("the reference rule has no search");
        }
        this.rule = rule;
        this.blocks = blocks;
        this.stride = Math.ceilDiv(blocks, L) * L;
        this.transposed = new float[16 * stride];
        this.errors = new double[(rule == ScaleRule.MSE_SEARCH ? MSE_CANDIDATES : 2) * stride];
        this.candidates = new int[stride];
        this.candidateConstants = new float[stride];
    }

    /**
     * The scale bytes and element constants of one zero-padded row of NVFP4 blocks under this rule;
     * {@code amax} holds the block maxima. The per-block arrays hold whole vectors.
     */
    void scales(Nvfp4Recipe recipe, float[] row, float[] amax, float g, int[] scaleCodes, float[] constants) {
        transpose(row);
        if (rule == ScaleRule.FOUR_OVER_SIX) {
            fourOverSix(recipe, amax, g, scaleCodes);
        } else {
            mseSearch(recipe, amax, g, scaleCodes);
        }
        for (int b = 0; b < blocks; b += L) {
            SimdQuantizer.elementConstants(recipe, scaleCodes, b, g, constants);
        }
    }

    private void transpose(float[] row) {
        for (int b = 0; b < blocks; b++) {
            for (int i = 0; i < 16; i++) {
                transposed[i * stride + b] = row[b * 16 + i];
            }
        }
    }

    /** The block maximum mapped to 6 and to 4; 4 only with a strictly lower error (a tie keeps 6). */
    private void fourOverSix(Nvfp4Recipe recipe, float[] amax, float g, int[] scaleCodes) {
        for (int b = 0; b < blocks; b += L) {
            SimdQuantizer.scaleCodes(recipe, amax, b, g, 6f, scaleCodes);
            SimdQuantizer.scaleCodes(recipe, amax, b, g, 4f, candidates);
            blockErrors(recipe, b, scaleCodes, g, 0);
            blockErrors(recipe, b, candidates, g, 1);
        }
        for (int b = 0; b < blocks; b++) {
            if (errors[stride + b] < errors[b]) {
                scaleCodes[b] = candidates[b];
            }
        }
    }

    /**
     * The reference code and the codes around it. All ten candidates of every block are evaluated (the
     * errors are pure functions of the code, so evaluating more than the reference reads changes
     * nothing); the search then reads them in the reference's order: the reference first, then
     * upwards from the lowest candidate, strictly lower errors only, stopping at a zero error.
     */
    private void mseSearch(Nvfp4Recipe recipe, float[] amax, float g, int[] scaleCodes) {
        for (int b = 0; b < blocks; b += L) {
            SimdQuantizer.scaleCodes(recipe, amax, b, g, 6f, scaleCodes);
            IntVector reference = IntVector.fromArray(I, scaleCodes, b);
            for (int j = 0; j < MSE_CANDIDATES; j++) {
                // codes past 0x00 or 0x7E are clamped only to stay decodable: the search never reads them
                reference.add(j - MSE_BELOW).max(0).min(E4M3_MAX_CODE).intoArray(candidates, b);
                blockErrors(recipe, b, candidates, g, j);
            }
        }
        for (int b = 0; b < blocks; b++) {
            int reference = scaleCodes[b];
            int best = reference;
            double bestError = errors[MSE_BELOW * stride + b];
            int lo = Math.max(1, reference - MSE_BELOW);
            int hi = Math.min(E4M3_MAX_CODE, reference + MSE_ABOVE);
            for (int c = lo; c <= hi && bestError > 0; c++) {
                double error = c == reference ? bestError : errors[(c - reference + MSE_BELOW) * stride + b];
                if (error < bestError) {
                    best = c;
                    bestError = error;
                }
            }
            scaleCodes[b] = best;
        }
    }

    /**
     * The squared errors of L blocks from {@code b0}, block b quantized to nearest with the scale byte
     * {@code codes[b]}, into {@code errors} row {@code candidate}: Quantizer's {@code blockError},
     * lane-wise. (The codes come in an array, not a vector: C2 does not inline this method into its
     * callers, and a vector argument would be boxed.)
     */
    private void blockErrors(Nvfp4Recipe recipe, int b0, int[] codes, float g, int candidate) {
        FloatVector s = SimdQuantizer.decodeE4M3(IntVector.fromArray(I, codes, b0));
        SimdQuantizer.elementConstants(recipe, codes, b0, g, candidateConstants);
        FloatVector k = FloatVector.fromArray(F, candidateConstants, b0);
        // QuantizedMatrix.blockFactor: what a decoder multiplies the E2M1 value by
        FloatVector factor = recipe.tensorScaleDivides() ? s.div(g) : s.mul(g);
        boolean multiply = recipe == Nvfp4Recipe.TORCHAO;
        boolean clamp = recipe != Nvfp4Recipe.MODELOPT;
        DoubleVector sum0 = DoubleVector.zero(D);
        DoubleVector sum1 = DoubleVector.zero(D);
        for (int i = 0; i < 16; i++) {
            FloatVector x = FloatVector.fromArray(F, transposed, i * stride + b0);
            FloatVector q = multiply ? x.mul(k) : x.div(k);
            if (clamp) { // Math.clamp to [-6, 6]; a NaN stays NaN
                q = q.blend(-6f, q.lt(-6f)).blend(6f, q.compare(VectorOperators.GT, 6f));
            }
            FloatVector v = nearestE2M1(q).mul(factor);
            DoubleVector d0 = ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 0))
                    .sub((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            DoubleVector d1 = ((DoubleVector) x.convertShape(VectorOperators.F2D, D, 1))
                    .sub((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
            sum0 = sum0.add(d0.mul(d0)); // two roundings, as in the reference: Java never fuses them
            sum1 = sum1.add(d1.mul(d1));
        }
        int at = candidate * stride + b0;
        sum0.intoArray(errors, at);
        sum1.intoArray(errors, at + L / 2);
    }

    /**
     * The E2M1 value (as {@code ElementType.E2M1.decode} of the reference's element code) nearest to
     * {@code q}, ties to even, saturating at ±6, NaN to code 7 (+6). By bits: for |q| >= 1 the fp32
     * mantissa rounded to one bit, below 1 {@code rint(2 |q|) / 2} by the 2^23 trick; the sign is
     * q's (a zero's sign does not change the error).
     */
    static FloatVector nearestE2M1(FloatVector q) {
        FloatVector a = q.abs();
        IntVector bits = a.reinterpretAsInts();
        FloatVector normal = bits.add(0x1FFFFF).add(bits.lanewise(VectorOperators.LSHR, 22).and(1)).and(0x7FC00000)
                .reinterpretAsFloats().min(6f);
        FloatVector small = a.mul(2f).add(0x1p23f).sub(0x1p23f).mul(0.5f);
        FloatVector magnitude = normal.blend(small, a.lt(1f));
        FloatVector signed = magnitude.reinterpretAsInts().or(q.reinterpretAsInts().and(0x80000000))
                .reinterpretAsFloats();
        return signed.blend(6f, q.test(VectorOperators.IS_NAN));
    }
}
