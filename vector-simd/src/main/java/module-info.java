/**
 * The Panama Vector API backend of nvfp4-java, named {@code simd}: NVFP4 and MXFP4 quantization,
 * dequantization and dequantize-matmul with {@code jdk.incubator.vector}. Found by
 * {@link io.nvfp4.backend.Backends} through {@link java.util.ServiceLoader}; it declares itself
 * unsupported (and the scalar reference is used) when the incubator module is missing, the JIT is not
 * HotSpot C2, the JDK is newer than the one it was tested on, or vectors are narrower than 256 bits.
 */
module io.nvfp4.simd {
    requires io.nvfp4.core;
    requires jdk.incubator.vector;
    requires org.slf4j;
    // Optional: reads the VM flags UseJVMCICompiler, TieredStopAtLevel and UseFMA when present.
    requires static jdk.management;

    provides io.nvfp4.backend.Backend with io.nvfp4.simd.SimdBackend;
}
