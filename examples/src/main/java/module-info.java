/**
 * A real model end to end: all-MiniLM-L6-v2 sentence embeddings with NVFP4 and MXFP4 weights in pure
 * Java, held against ONNX Runtime (the ONNX weights are read by core's {@code io.nvfp4.io.onnx}).
 * {@code io.nvfp4.examples.minilm} has the WordPiece tokenizer, the BERT encoder whose linear layers
 * run through the backend SPI, and the demo behind {@code nvfp4 demo}.
 */
module io.nvfp4.examples {
    requires io.nvfp4.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires com.microsoft.onnxruntime;
    // The model files are resources of langchain4j's jars, which are not required here: found through
    // the class loader, or read from the jar files on the module path (see ModelResources).

    exports io.nvfp4.examples.minilm;
}
