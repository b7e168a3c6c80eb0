package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * The NVFP4 block scale each {@link ScaleRule} picks for a block of values: the reference rule from
 * the block maximum alone; Four Over Six and MSE search by comparing the squared errors of
 * round-to-nearest under candidate scales (summed in double, in element order; ties keep the
 * reference's or the "6" candidate).
 */
final class ScaleChoice {
    /** MSE search: E4M3 codes tried below and above the reference code (see {@link ScaleRule#MSE_SEARCH}). */
    static final int MSE_CODES_BELOW = 7;
    static final int MSE_CODES_ABOVE = 2;
    private static final int E4M3_MAX_CODE = 0x7E;
    private static final int BLOCK = 16;

    private ScaleChoice() {}

    /**
     * The scale byte {@code rule} picks for block {@code x[from, from + 16)} with maximum |x| {@code blockAmax}
     * under tensor scale {@code g}; {@code codes} is scratch of 16 ints.
     */
    static int scaleCode(Nvfp4Recipe recipe, ScaleRule rule, float[] x, int from, float blockAmax, float g, int[] codes) {
        return switch (rule) {
            case REFERENCE -> Nvfp4Reference.blockScaleCode(recipe, blockAmax, g);
            case FOUR_OVER_SIX -> {
                int six = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 6f);
                int four = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g, 4f);
                yield error(recipe, x, from, four, g, codes) < error(recipe, x, from, six, g, codes) ? four : six;
            }
            case MSE_SEARCH -> {
                int reference = Nvfp4Reference.blockScaleCode(recipe, blockAmax, g);
                int best = reference;
                double bestError = error(recipe, x, from, reference, g, codes);
                int lo = Math.max(1, reference - MSE_CODES_BELOW);
                int hi = Math.min(E4M3_MAX_CODE, reference + MSE_CODES_ABOVE);
                for (int c = lo; c <= hi && bestError > 0; c++) {
                    double e = c == reference ? bestError : error(recipe, x, from, c, g, codes);
                    if (e < bestError) {
                        best = c;
                        bestError = e;
                    }
                }
                yield best;
            }
        };
    }

    /** The squared error of the block rounded to nearest with scale byte {@code scale}, in double. */
    static double error(Nvfp4Recipe recipe, float[] x, int from, int scale, float g, int[] codes) {
        float s = ElementType.E4M3.decode(scale);
        float k = Nvfp4Reference.elementDivisorOrFactor(recipe, s, g);
        float factor = QuantizedMatrix.blockFactor(BlockFormat.NVFP4, recipe, scale, g);
        double sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            codes[i] = Nvfp4Reference.elementCode(recipe, x[from + i], k);
            double d = (double) x[from + i] - ElementType.E2M1.decode(codes[i]) * factor;
            sum += d * d;
        }
        return sum;
    }
}
