/**
 * nvfp4-java core: block formats and their element codecs, quantized tensors, the exact scalar
 * quantizer and dequantizer, error metrics, and the backend SPI with its scalar reference.
 */
module io.nvfp4.core {
    requires org.slf4j;
    requires com.fasterxml.jackson.core;

    exports io.nvfp4.format;
    exports io.nvfp4.tensor;
    exports io.nvfp4.quantize;
    exports io.nvfp4.backend;
    exports io.nvfp4.metrics;
    exports io.nvfp4.io;
    exports io.nvfp4.io.checkpoint;
    exports io.nvfp4.io.onnx;

    uses io.nvfp4.backend.Backend;
    provides io.nvfp4.backend.Backend with io.nvfp4.backend.ScalarBackend;
}
