package io.nvfp4.io.checkpoint;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The tensor names and config files a quantized checkpoint uses (numerics spec section 7,
 * checkpoints spec section 2).
 */
public enum CheckpointLayout {
    /**
     * NVIDIA TensorRT Model Optimizer's export: {@code <p>.weight} U8 [out, in/2] packed E2M1,
     * {@code <p>.weight_scale} F8_E4M3 [out, in/16], {@code <p>.weight_scale_2} F32 [] (amax / 2688,
     * multiplied on decode), {@code hf_quant_config.json}, and {@code quant_method "modelopt"} in
     * {@code config.json}. NVFP4 only.
     */
    MODELOPT("modelopt"),
    /**
     * compressed-tensors (llm-compressor): {@code <p>.weight_packed} U8 [out, in/2],
     * {@code <p>.weight_scale} (F8_E4M3 [out, in/16] for {@code nvfp4-pack-quantized}, U8 E8M0
     * exponents [out, in/32] for {@code mxfp4-pack-quantized}), for NVFP4 {@code <p>.weight_global_scale}
     * F32 [1] (2688 / amax, divided on decode), and {@code quant_method "compressed-tensors"} in
     * {@code config.json}.
     */
    COMPRESSED_TENSORS("compressed-tensors"),
    /**
     * OpenAI gpt-oss MXFP4 experts (transformers {@code quant_method "mxfp4"}): {@code <p>_blocks} U8
     * [E, N, K/32, 16] and {@code <p>_scales} U8 [E, N, K/32]; the dense tensor {@code <p>} is
     * [E, K, N], the transpose of each expert. Read only.
     */
    GPT_OSS("gpt-oss");

    private final String cliName;

    CheckpointLayout(String cliName) {
        this.cliName = cliName;
    }

    /** The lower-case name used on the command line and in reports ({@code modelopt}, ...). */
    public String cliName() {
        return cliName;
    }

    /**
     * The layout called {@code name} ({@link #cliName()} or the constant's name, any case).
     *
     * @throws IllegalArgumentException if there is none
     */
    public static CheckpointLayout fromName(String name) {
        for (CheckpointLayout l : values()) {
            if (l.cliName.equalsIgnoreCase(name) || l.name().equalsIgnoreCase(name.replace('-', '_'))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown layout '" + name + "'; one of "
                + Arrays.stream(values()).map(CheckpointLayout::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName.toLowerCase(Locale.ROOT);
    }
}
