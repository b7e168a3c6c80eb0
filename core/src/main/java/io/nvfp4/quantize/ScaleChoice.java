package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * The NVFP4 block scale each {@link ScaleRule} picks for a block of 16 values, the one definition
 * that {@link Quantizer} and {@link Gptq} use: the reference rule from the block maximum alone; Four
 * Over Six and MSE search by comparing the squared errors of round-to-nearest under candidate scales
 * (summed in double, in element order; only a strictly lower error wins, so ties keep the "6" candidate,
 * the reference code, or the lower code).
 */
final class ScaleChoice {
    private static final int E4M3_MAX_CODE = 0x7E;
    private static final int BLOCK = 16;
    /** A {@link #error} bound that never stops the sum ({@code sum >= NaN} is false). */
    private static final double NO_BOUND = Double.NaN;

    private ScaleChoice() {}

    /**
     * The scale byte {@code rule} picks for block {@code x[from, from + 16)}, whose maximum |x| is
     * {@code blockAmax}, under tensor scale {@code g}; the block's round-to-nearest codes under that
     * scale are left in {@code codes}. {@code scratch} holds 16 ints.
     */
    static int scaleCode(Nvfp4Recipe recipe, ScaleRule rule, float[] x, int from, float blockAmax, float g, int[] codes,
                         int[] scratch) {
        // The searching rules keep the codes of the best candidate as they go, so the chosen scale is
        // not quantized a second time.
        return switch (rule) {
            case REFERENCE -> {
                int scale = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g);
                error(recipe, x, from, scale, g, codes, NO_BOUND);
                yield scale;
            }
            case FOUR_OVER_SIX -> {
                int six = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 6f);
                int four = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 4f);
                double sixError = error(recipe, x, from, six, g, codes, NO_BOUND);
                if (error(recipe, x, from, four, g, scratch, sixError) < sixError) {
                    System.arraycopy(scratch, 0, codes, 0, BLOCK);
                    yield four;
                }
                yield six;
            }
            case MSE_SEARCH -> {
                int reference = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g);
                int best = reference;
                double bestError = error(recipe, x, from, reference, g, codes, NO_BOUND);
                int lo = Math.max(1, reference - ScaleRule.MSE_CODES_BELOW);
                int hi = Math.min(E4M3_MAX_CODE, reference + ScaleRule.MSE_CODES_ABOVE);
                for (int c = lo; c <= hi && bestError > 0; c++) {
                    if (c == reference) {
                        continue; // its error is where bestError started: it cannot be lower
                    }
                    double e = error(recipe, x, from, c, g, scratch, bestError);
                    if (e < bestError) {
                        best = c;
                        bestError = e;
                        System.arraycopy(scratch, 0, codes, 0, BLOCK);
                    }
                }
                yield best;
            }
        };
    }

    /**
     * The squared error of the block rounded to nearest with scale byte {@code scale}, summed in double
     * in element order; its codes go to {@code codes}. Stops early once the sum reaches {@code bound},
     * returning that partial sum: the terms are non-negative and rounded addition is monotone, so the
     * full sum would not be below the bound either, and a caller that keeps only a sum below its bound
     * chooses exactly as with full sums. {@link #NO_BOUND} sums every element.
     */
    private static double error(Nvfp4Recipe recipe, float[] x, int from, int scale, float g, int[] codes, double bound) {
        float s = ElementType.E4M3.decode(scale);
        float k = Nvfp4Reference.elementDivisorOrFactor(recipe, s, g);
        float factor = QuantizedMatrix.blockFactor(BlockFormat.NVFP4, recipe, scale, g);
        double sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            codes[i] = Nvfp4Reference.elementCode(recipe, x[from + i], k);
            double d = (double) x[from + i] - ElementType.E2M1.decode(codes[i]) * factor;
            sum += d * d;
            if (sum >= bound) {
                return sum;
            }
        }
        return sum;
    }
}
