package io.nvfp4.quantize;

import io.nvfp4.format.BF16;
import io.nvfp4.format.ElementType;
import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;

/**
 * The scalar NVFP4 reference: one routine per step, in the exact fp32 order of operations of each
 * recipe (spec sections 2.2 to 2.5). Every other NVFP4 kernel must produce the same bytes.
 */
final class Nvfp4Reference {
    /** 448 * 6: the E4M3 maximum times the E2M1 maximum. */
    static final float E4M3_TIMES_E2M1_MAX = 2688f;
    private static final float E4M3_MIN_NORMAL = 0x1p-6f;
    private static final float E4M3_MAX = 448f;
    private static final int E2M1_MAX_CODE = 7;

    private Nvfp4Reference() {}

    /**
     * The tensor scale as {@code recipe} stores it, for a tensor amax {@code a > 0}; 1 when a is 0
     * (an all-zero tensor: every reference divides by zero there, this library stores 1 and all-zero
     * codes).
     */
    static float tensorScale(Nvfp4Recipe recipe, float a) {
        return tensorScale(recipe, a, E4M3_TIMES_E2M1_MAX);
    }

    /**
     * The tensor scale with {@code range} in place of 2688 = 448 * 6: Four Over Six uses 256 * 6 to
     * leave E4M3 headroom for its larger "4" block scales.
     */
    static float tensorScale(Nvfp4Recipe recipe, float a, float range) {
        if (a == 0) {
            return 1f;
        }
        float g = switch (recipe) {
            case MODELOPT, TORCHAO -> a / range;
            // torch's `2688.0 / amax` is amax.reciprocal() * 2688: two roundings, not one division.
            case COMPRESSED_TENSORS -> (1f / a) * range;
            // llm-compressor on a bf16 model: each tensor op computes in fp32 and stores bf16.
            case COMPRESSED_TENSORS_BF16 -> BF16.round(BF16.round(1f / BF16.round(a)) * range);
            case GGML -> 1f;
        };
        // torchao scales elements by 1/g: where that overflows (a subnormal amax / 2688) its elements
        // would become Inf and NaN, so it refuses the tensor like an unscalable amax.
        if (!(g > 0) || !Float.isFinite(g) || recipe == Nvfp4Recipe.TORCHAO && !Float.isFinite(1f / g)) {
            throw new IllegalArgumentException("tensor amax " + a + " gives tensor scale " + g + " under " + recipe
                    + ": outside what fp32 can scale");
        }
        return g;
    }

    /** The E4M3 block-scale byte for a block amax {@code b} and the stored tensor scale {@code g}. */
    static int blockScaleCode(Nvfp4Recipe recipe, float b, float g) {
        return blockScaleCode(recipe, b, g, 6f);
    }

    /**
     * The block-scale byte that maps the block amax {@code b} to {@code target} (6 for every reference;
     * 4 for Four Over Six's second candidate), in the recipe's own order of operations.
     */
    static int blockScaleCode(Nvfp4Recipe recipe, float b, float g, float target) {
        return switch (recipe) {
            case MODELOPT -> {
                float r = b / (target * g);
                yield ElementType.E4M3.encode(r == 0 ? 1f : r);
            }
            case TORCHAO -> ElementType.E4M3.encode(Math.clamp((b / target) / g, E4M3_MIN_NORMAL, E4M3_MAX));
            case COMPRESSED_TENSORS -> ctScaleCode(g * (b / target));
            case COMPRESSED_TENSORS_BF16 -> ctScaleCode(g * BF16.round(b / target));
            case GGML -> Ggml.ue4m3(b / target);
        };
    }

    private static int ctScaleCode(float r) {
        int code = ElementType.E4M3.encode(Math.clamp(r, -E4M3_MAX, E4M3_MAX));
        return code == 0 ? 0x20 : code; // torch.where(scales == 0, 0.125, scales)
    }

    /**
     * The per-block constant the elements are scaled with: torchao multiplies by it, modelopt and
     * compressed-tensors divide by it, GGML uses ggml's halved scale.
     */
    static float elementDivisorOrFactor(Nvfp4Recipe recipe, float s, float g) {
        return switch (recipe) {
            case MODELOPT -> s * g;
            case TORCHAO -> (1f / g) / s; // "reciprocal to match the MSLK triton kernel"
            case COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> s / g;
            case GGML -> s * 0.5f;        // ggml_ue4m3_to_fp32 returns value / 2 (its table is 2 x E2M1)
        };
    }

    /** Which zero code a negative that rounds to zero gets (spec section 2.5). */
    static ZeroSign zeroSign(Nvfp4Recipe recipe) {
        return switch (recipe) {
            case TORCHAO -> ZeroSign.SIGN_BIT;
            case MODELOPT, COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> ZeroSign.NEGATIVE;
            case GGML -> ZeroSign.POSITIVE;
        };
    }

    /**
     * Element {@code x} on the E2M1 scale, before rounding: modelopt divides (no clamp: its cast
     * saturates), torchao multiplies by the reciprocal and clamps to [-6, 6], compressed-tensors divides
     * and clamps. Not for GGML, which searches instead of scaling.
     */
    static float scaledElement(Nvfp4Recipe recipe, float x, float k) {
        return switch (recipe) {
            case MODELOPT -> x / k;
            case TORCHAO -> Math.clamp(x * k, -6f, 6f);
            case COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> Math.clamp(x / k, -6f, 6f);
            case GGML -> throw new IllegalArgumentException("GGML elements are found by search, not scaling");
        };
    }

    /** The E2M1 code of element {@code x} given the block constant from {@link #elementDivisorOrFactor}. */
    static int elementCode(Nvfp4Recipe recipe, float x, float k) {
        if (recipe == Nvfp4Recipe.GGML) {
            return Ggml.bestIndex(x, k);
        }
        float q = scaledElement(recipe, x, k);
        // A modelopt block scale that underflowed to 0 makes q = ±Inf or 0/0 = NaN; modelopt's
        // searchsorted puts NaN past the last bound (code 7, sign clear). Both decode to 0.
        return Float.isNaN(q) ? E2M1_MAX_CODE : ElementType.E2M1.encode(q, Ties.EVEN, zeroSign(recipe));
    }

    /** Like {@link #elementCode}, rounding stochastically with the uniform draw {@code u}. */
    static int elementCodeStochastic(Nvfp4Recipe recipe, float x, float k, double u) {
        float q = scaledElement(recipe, x, k);
        return Float.isNaN(q) ? E2M1_MAX_CODE : StochasticRounding.encode(ElementType.E2M1, q, u, zeroSign(recipe));
    }
}
