package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;

/**
 * One block's scale under a quantizer's recipe, and round-to-nearest of single elements with it: the
 * reference steps of {@link Nvfp4Reference} and {@link MxReference}, for callers such as {@link Gptq}
 * that fix a block's scale first and then round its elements one at a time.
 */
abstract sealed class BlockRounding {
    private final int scaleCode;

    private BlockRounding(int scaleCode) {
        this.scaleCode = scaleCode;
    }

    /**
     * The rounding of block {@code x[from, from + blockSize)}, whose maximum |x| is {@code blockAmax}, with
     * the scale the quantizer's recipe and scale rule pick, under tensor scale {@code g} (NVFP4).
     */
    static BlockRounding of(Quantizer quantizer, float[] x, int from, float blockAmax, float g) {
        BlockFormat format = quantizer.format();
        if (quantizer.recipe() instanceof Nvfp4Recipe nv) {
            int scale = ScaleChoice.scaleCode(nv, quantizer.scaleRule(), x, from, blockAmax, g, new int[format.blockSize()],
                    new int[format.blockSize()]);
            return new Nvfp4(nv, scale, g);
        }
        MxRecipe mx = (MxRecipe) quantizer.recipe();
        return new Mx(mx, format.elementType(), MxReference.scaleCode(mx.scaleRule(), format.elementType(), blockAmax));
    }

    /** The scale byte. */
    final int scaleCode() {
        return scaleCode;
    }

    /** The element code of {@code x} in this block. */
    abstract int code(float x);

    private static final class Nvfp4 extends BlockRounding {
        private final Nvfp4Recipe recipe;
        private final float k;

        Nvfp4(Nvfp4Recipe recipe, int scaleCode, float g) {
            super(scaleCode);
            this.recipe = recipe;
            this.k = Nvfp4Reference.elementDivisorOrFactor(recipe, ElementType.E4M3.decode(scaleCode), g);
        }

        @Override
        int code(float x) {
            return Nvfp4Reference.elementCode(recipe, x, k);
        }
    }

    private static final class Mx extends BlockRounding {
        private final MxRecipe recipe;
        private final ElementType element;
        private final float reciprocal;

        Mx(MxRecipe recipe, ElementType element, int scaleCode) {
            super(scaleCode);
            this.recipe = recipe;
            this.element = element;
            this.reciprocal = MxReference.reciprocal(scaleCode);
        }

        @Override
        int code(float x) {
            return MxReference.elementCode(element, recipe, x, reciprocal);
        }
    }
}
