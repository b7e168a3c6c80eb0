/**
 * nvfp4-java core: block formats and their element codecs, quantized tensors, the exact scalar
 * quantizer and dequantizer.
 */
module io.nvfp4.core {
    requires org.slf4j;

    exports io.nvfp4.format;
    exports io.nvfp4.tensor;
    exports io.nvfp4.quantize;
    exports io.nvfp4.metrics;
}
