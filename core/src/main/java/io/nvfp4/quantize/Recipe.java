package io.nvfp4.quantize;

/**
 * The exact arithmetic a quantized tensor was made with: an {@link Nvfp4Recipe} for NVFP4, an
 * {@link MxRecipe} for the OCP MX formats. A recipe fixes every byte the quantizer writes.
 */
public sealed interface Recipe permits Nvfp4Recipe, MxRecipe {
}
