package io.nvfp4.testkit;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.BlockShape;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.MxScaleRule;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.RandomHadamard;
import io.nvfp4.quantize.ScaleRule;

import java.util.ArrayList;
import java.util.List;

/** The quantizer configurations the conformance suite covers. */
public final class ConformanceQuantizers {
    /** A calibrated tensor amax below most test data's own: elements and block scales saturate. */
    private static final float CALIBRATED_AMAX = 2.5f;
    /** Seeds the stochastic rounding stream and the random Hadamard signs. */
    private static final long STOCHASTIC_SEED = 20251;

    private ConformanceQuantizers() {}

    /**
     * For quantization and dequantization: every {@link Nvfp4Recipe}; MXFP4 with every named
     * {@link MxRecipe} and every {@link MxScaleRule}; each other MX format with {@link MxRecipe#OCP}
     * and one other recipe; and configured quantizers that a backend must honour too (or hand to
     * the reference): swizzled 128x4 scales (NVFP4, MXFP4), a calibrated tensor amax (two NVFP4
     * recipes, one of each tensor-scale direction), and the accuracy options, which are not
     * reference bytes but are still exact: Four Over Six, MSE search, 16 x 16 tiles, seeded
     * stochastic rounding (NVFP4 and MXFP4) and a Hadamard rotation (which refuses a K that is not a
     * multiple of 16; the backend must refuse it too).
     */
    public static List<Quantizer> all() {
        List<Quantizer> all = new ArrayList<>();
        for (Nvfp4Recipe recipe : Nvfp4Recipe.values()) {
            all.add(Quantizer.nvfp4(recipe));
        }
        all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP));
        all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.MICROXCALING));
        all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.GGML));
        for (MxScaleRule rule : MxScaleRule.values()) {
            if (rule != MxScaleRule.FLOOR) { // FLOOR with torchao rounding is OCP, above
                all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.of(rule)));
            }
        }
        MxRecipe[] others = {MxRecipe.of(MxScaleRule.RCEIL), MxRecipe.MICROXCALING, MxRecipe.of(MxScaleRule.CEIL),
                MxRecipe.GGML, MxRecipe.of(MxScaleRule.EVEN)};
        int i = 0;
        for (BlockFormat format : BlockFormat.values()) {
            if (format != BlockFormat.NVFP4 && format != BlockFormat.MXFP4) {
                all.add(Quantizer.mx(format, MxRecipe.OCP));
                all.add(Quantizer.mx(format, others[i++ % others.length]));
            }
        }
        all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleLayout(ScaleLayout.SWIZZLED_128X4));
        all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).withScaleLayout(ScaleLayout.SWIZZLED_128X4));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withTensorAmax(CALIBRATED_AMAX));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS).withTensorAmax(CALIBRATED_AMAX));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleRule(ScaleRule.FOUR_OVER_SIX));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.TORCHAO).withScaleRule(ScaleRule.MSE_SEARCH));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withBlockShape(BlockShape.TILE_16X16));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS).withStochasticRounding(STOCHASTIC_SEED));
        all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).withStochasticRounding(STOCHASTIC_SEED));
        all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withRotation(new RandomHadamard(STOCHASTIC_SEED)));
        return List.copyOf(all);
    }

    /**
     * For matmul: the formats with fast paths, NVFP4 (a multiplying, a dividing and a unit tensor
     * scale) and MXFP4, in both scale layouts; and one quantizer of each other element width.
     */
    public static List<Quantizer> forMatmul() {
        List<Quantizer> all = new ArrayList<>();
        for (ScaleLayout layout : ScaleLayout.values()) {
            all.add(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withScaleLayout(layout));
            all.add(Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS).withScaleLayout(layout));
            all.add(Quantizer.nvfp4(Nvfp4Recipe.GGML).withScaleLayout(layout));
            all.add(Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).withScaleLayout(layout));
        }
        all.add(Quantizer.mx(BlockFormat.MXFP6_E2M3, MxRecipe.OCP));
        all.add(Quantizer.mx(BlockFormat.MXFP8_E4M3, MxRecipe.OCP));
        all.add(Quantizer.mx(BlockFormat.MXINT8, MxRecipe.OCP));
        return List.copyOf(all);
    }
}
