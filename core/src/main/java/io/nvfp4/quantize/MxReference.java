package io.nvfp4.quantize;

import io.nvfp4.format.E8M0;
import io.nvfp4.format.ElementType;

/** The scalar OCP MX reference (spec sections 4.2 and 4.3). */
final class MxReference {
    private MxReference() {}

    /** The E8M0 scale byte for a finite block amax {@code a}: {@link MxScaleRule#scaleCode}. */
    static int scaleCode(MxScaleRule rule, ElementType element, float a) {
        return rule.scaleCode(element, a);
    }

    /** 2^(127 - code): the exact reciprocal of the block scale, what torchao multiplies by. */
    static float reciprocal(int scaleCode) {
        return E8M0.decode(254 - scaleCode);
    }

    /** The element code of {@code x} in a block with scale reciprocal {@code reciprocal}. */
    static int elementCode(ElementType element, MxRecipe recipe, float x, float reciprocal) {
        return element.encode(x * reciprocal, recipe.ties(), recipe.zeroSign());
    }
}
