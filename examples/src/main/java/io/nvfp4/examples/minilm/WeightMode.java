package io.nvfp4.examples.minilm;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;

import java.util.List;
import java.util.Objects;

/**
 * How the encoder's 36 linear layers hold their weights (the embeddings, layer norms and biases stay
 * fp32 in every mode, as the quantization recipes leave them):
 * <ul>
 * <li>fp32: unquantized, in plain Java ({@link DenseLinear});</li>
 * <li>weight-only 4-bit ({@code weights} set): NVFP4 or MXFP4 weights through the backend SPI, fp32
 *     activations;</li>
 * <li>W4A4 ({@code activations} set too): NVFP4 weights and NVFP4 activations, the activations' tensor
 *     scale from an amax calibrated on sample sentences.</li>
 * </ul>
 * Weights are rounded to nearest by default, or by GPTQ ({@code gptq}): rounded against the inputs each
 * layer saw on the calibration sentences ({@link io.nvfp4.quantize.Gptq}).
 *
 * @param id          a short name for tables and JSON, such as {@code nvfp4-mse-search}
 * @param description what it is, in a few words
 * @param weights     the weight quantizer, or null for fp32
 * @param activations the activation quantizer (its tensor amax is set per layer at calibration), or null
 * @param gptq        whether the weights are rounded by GPTQ on the calibration sentences
 */
public record WeightMode(String id, String description, Quantizer weights, Quantizer activations, boolean gptq) {
    /** Weights in fp32. */
    public static final WeightMode FP32 = new WeightMode("fp32", "fp32 weights (plain Java matmul)", null, null, false);

    /** Checks the combination. */
    public WeightMode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        if (activations != null && weights == null) {
            throw new IllegalArgumentException("quantized activations need quantized weights");
        }
        if (gptq && weights == null) {
            throw new IllegalArgumentException("GPTQ rounds quantized weights; fp32 has none");
        }
    }

    /** NVFP4 weights, the modelopt recipe, with the scale rule {@code rule}. */
    public static WeightMode nvfp4(ScaleRule rule) {
        String id = switch (rule) {
            case REFERENCE -> "nvfp4";
            case FOUR_OVER_SIX -> "nvfp4-four-over-six";
            case MSE_SEARCH -> "nvfp4-mse-search";
        };
        return new WeightMode(id, "NVFP4 weights, modelopt recipe, scale rule " + rule,
                Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleRule(rule), null, false);
    }

    /**
     * NVFP4 weights, the modelopt recipe, rounded by GPTQ on the calibration sentences with block scales
     * by {@code rule}.
     */
    public static WeightMode nvfp4Gptq(ScaleRule rule) {
        return new WeightMode(nvfp4(rule).id().replace("nvfp4", "nvfp4-gptq"), "NVFP4 weights, modelopt recipe, GPTQ"
                + " on the calibration sentences, scale rule " + rule,
                Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleRule(rule), null, true);
    }

    /** MXFP4 weights, the OCP recipe. */
    public static WeightMode mxfp4() {
        return new WeightMode("mxfp4", "MXFP4 weights, OCP recipe", Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP), null, false);
    }

    /**
     * NVFP4 weights and activations (W4A4), modelopt recipe; the weights with the scale rule {@code rule},
     * the activations with dynamic block scales under a calibrated tensor scale.
     */
    public static WeightMode nvfp4W4A4(ScaleRule rule) {
        String suffix = rule == ScaleRule.REFERENCE ? "" : "-" + nvfp4(rule).id().substring("nvfp4-".length());
        return new WeightMode("nvfp4-w4a4" + suffix, "NVFP4 weights (" + rule + ") and activations, activation"
                + " tensor scales calibrated", Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleRule(rule),
                Quantizer.nvfp4(Nvfp4Recipe.MODELOPT), false);
    }

    /** Every mode the demo runs, fp32 first. */
    public static List<WeightMode> all() {
        return List.of(FP32, nvfp4(ScaleRule.REFERENCE), nvfp4(ScaleRule.FOUR_OVER_SIX), nvfp4(ScaleRule.MSE_SEARCH),
                nvfp4Gptq(ScaleRule.REFERENCE), nvfp4Gptq(ScaleRule.MSE_SEARCH), mxfp4(), nvfp4W4A4(ScaleRule.REFERENCE));
    }

    /** Whether activations are quantized too, which needs calibration. */
    public boolean quantizesActivations() {
        return activations != null;
    }

    @Override
    public String toString() {
        return id;
    }
}
