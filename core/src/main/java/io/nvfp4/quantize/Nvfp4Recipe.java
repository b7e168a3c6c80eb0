package io.nvfp4.quantize;

/**
 * The NVFP4 references, each reproduced to the bit (spec sections 2.2 to 2.6 and 9). They differ in
 * the direction and rounding of the tensor scale, the fp32 order of operations, the rule for zero
 * and tiny block scales, and the sign of zero.
 *
 * <table>
 * <caption>What each recipe stores and computes (g = stored tensor scale, b = block amax,
 * s = decoded block scale, A = tensor amax)</caption>
 * <tr><th>recipe</th><th>tensor scale g</th><th>block scale before the E4M3 cast</th><th>element</th></tr>
 * <tr><td>MODELOPT</td><td>A / 2688</td><td>b / (6 g); 0 becomes 1</td><td>x / (s g)</td></tr>
 * <tr><td>TORCHAO</td><td>A / 2688</td><td>(b / 6) / g clamped to [2^-6, 448]</td><td>x ((1 / g) / s)</td></tr>
 * <tr><td>COMPRESSED_TENSORS</td><td>(1 / A) 2688</td><td>g (b / 6); code 0 becomes 0.125</td><td>x / (s / g)</td></tr>
 * <tr><td>COMPRESSED_TENSORS_BF16</td><td>as above, each step rounded to bf16</td><td>g bf16(b / 6)</td><td>x / (s / g)</td></tr>
 * <tr><td>GGML</td><td>1 (none)</td><td>b / 6, ggml's half-up UE4M3 rounding</td><td>nearest, ties toward zero</td></tr>
 * </table>
 */
public enum Nvfp4Recipe implements Recipe {
    /** NVIDIA TensorRT-Model-Optimizer's checkpoint export ({@code NVFP4QTensor}); the default. */
    MODELOPT,
    /** torchao {@code nvfp4_quantize} (and its Triton/MSLK kernel). */
    TORCHAO,
    /** compressed-tensors / llm-compressor with fp32 observer statistics (an fp32 model). */
    COMPRESSED_TENSORS,
    /** compressed-tensors / llm-compressor on a bf16 model: its statistics are bf16 tensor ops. */
    COMPRESSED_TENSORS_BF16,
    /**
     * ggml {@code quantize_row_nvfp4_ref}: single-level (the tensor scale is 1), UE4M3 rounded
     * half-up, elements by first-minimum search. Stored with {@code block_nvfp4} it is ggml's own bytes.
     */
    GGML;

    /** The default recipe: what a modelopt checkpoint holds. */
    public static final Nvfp4Recipe DEFAULT = MODELOPT;

    /**
     * Whether the stored tensor scale is in the encode direction (2688 / amax, dequantize divides
     * by it: compressed-tensors' {@code weight_global_scale}) rather than the decode direction
     * (amax / 2688, dequantize multiplies: modelopt's {@code weight_scale_2}, torchao's
     * {@code per_tensor_scale}).
     */
    public boolean tensorScaleDivides() {
        return this == COMPRESSED_TENSORS || this == COMPRESSED_TENSORS_BF16;
    }

    /**
     * The E4M3 block-scale byte this recipe stores for a block whose largest magnitude is
     * {@code blockAmax}, given the stored tensor scale {@code tensorScale} (1 for GGML, which has none):
     * the block maximum maps to 6, in the recipe's own fp32 order of operations, zero and tiny blocks by
     * its own rule (the table above; spec sections 2.2 to 2.4). Exactly the byte {@link Quantizer}
     * writes with {@link ScaleRule#REFERENCE}.
     */
    public int blockScaleCode(float blockAmax, float tensorScale) {
        return Nvfp4Reference.blockScaleCode(this, blockAmax, tensorScale);
    }

    /**
     * Like {@link #blockScaleCode(float, float)}, with the block maximum mapped to {@code target} in
     * place of 6: {@link ScaleRule#FOUR_OVER_SIX} also tries 4.
     */
    public int blockScaleCode(float blockAmax, float tensorScale, float target) {
        return Nvfp4Reference.blockScaleCode(this, blockAmax, tensorScale, target);
    }

    /**
     * The per-block constant this recipe scales elements with, for the decoded block scale
     * {@code blockScale} (the E4M3 value of the scale byte) and the stored tensor scale: modelopt
     * ({@code s * g}) and compressed-tensors ({@code s / g}) divide elements by it, torchao multiplies
     * them by it ({@code (1 / g) / s}), GGML compares them with multiples of it (ggml's halved scale,
     * {@code s / 2}). Computed once per block, so that a kernel can run the element loop itself with
     * the reference's single fp32 rounding per element.
     */
    public float elementConstant(float blockScale, float tensorScale) {
        return Nvfp4Reference.elementDivisorOrFactor(this, blockScale, tensorScale);
    }

    /** The block-scale byte of an all-zero block under this recipe (spec section 2.3). */
    public int zeroBlockScaleCode() {
        return switch (this) {
            case MODELOPT -> 0x38;   // r == 0 becomes 1.0
            case TORCHAO -> 0x08;    // clamped to the smallest normal, 2^-6
            case COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> 0x20; // scale == 0 becomes 0.125
            case GGML -> 0x00;
        };
    }
}
