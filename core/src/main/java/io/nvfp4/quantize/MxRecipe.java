package io.nvfp4.quantize;

import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;

import java.util.Objects;

/**
 * How an OCP MX tensor is made: the shared-scale rule, how elements break ties, and which zero
 * code a negative value that rounds to zero gets (spec sections 4.2, 4.3, 9).
 *
 * @param scaleRule the E8M0 exponent rule
 * @param ties      element rounding at midpoints
 * @param zeroSign  sign of zero codes
 */
public record MxRecipe(MxScaleRule scaleRule, Ties ties, ZeroSign zeroSign) implements Recipe {
    /** OCP MX v1.0 as torchao implements it: FLOOR, ties to even, the sign bit copied. The default. */
    public static final MxRecipe OCP = new MxRecipe(MxScaleRule.FLOOR, Ties.EVEN, ZeroSign.SIGN_BIT);
    /** microsoft/microxcaling's defaults: FLOOR with ties away from zero. */
    public static final MxRecipe MICROXCALING = new MxRecipe(MxScaleRule.FLOOR, Ties.AWAY_FROM_ZERO, ZeroSign.SIGN_BIT);
    /** ggml {@code quantize_row_mxfp4_ref}: FLOOR, first-minimum search (ties toward zero, no negative zero). */
    public static final MxRecipe GGML = new MxRecipe(MxScaleRule.FLOOR, Ties.TOWARD_ZERO, ZeroSign.POSITIVE);

    /** Validates the components. */
    public MxRecipe {
        Objects.requireNonNull(scaleRule, "scaleRule");
        Objects.requireNonNull(ties, "ties");
        Objects.requireNonNull(zeroSign, "zeroSign");
    }

    /** The constant's name (OCP, MICROXCALING, GGML), else the three components. */
    @Override
    public String toString() {
        if (equals(OCP)) {
            return "OCP";
        }
        if (equals(MICROXCALING)) {
            return "MICROXCALING";
        }
        if (equals(GGML)) {
            return "GGML";
        }
        return scaleRule + "/" + ties + "/" + zeroSign;
    }

    /** {@code rule} with torchao's element rounding (ties to even, sign bit copied). */
    public static MxRecipe of(MxScaleRule rule) {
        return new MxRecipe(rule, Ties.EVEN, ZeroSign.SIGN_BIT);
    }
}
