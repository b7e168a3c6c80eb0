/**
 * Error metrics: how far a reconstruction (a dequantized tensor, a product computed from quantized
 * weights) is from its reference. See {@link io.nvfp4.metrics.ErrorStats}.
 */
package io.nvfp4.metrics;
