package io.nvfp4.benchmarks;

import io.nvfp4.backend.Backend;
import io.nvfp4.format.BF16;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Quantization throughput through {@link Backend#quantize}: NVFP4 (modelopt recipe) and MXFP4 (OCP)
 * from fp32 or bf16 input held in native memory, as a mapped checkpoint is. The backend runs on the
 * common fork-join pool (the SPI takes no pool for quantization). Report: G values/s, and GB/s =
 * (input bytes read + codes and scales written) / time as a fraction of the streaming-read roofline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g",
        "--sun-misc-unsafe-memory-access=allow"})
public class QuantizeBenchmark {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Backend name. */
    @Param({"simd", "scalar"})
    public String backend;

    /** Target format (NVFP4: modelopt recipe; MXFP4: OCP). */
    @Param({"NVFP4", "MXFP4"})
    public String format;

    /** Input element type: F32 or BF16. */
    @Param({"F32", "BF16"})
    public String input;

    /** The tensor's rows x columns. */
    @Param({"4096x4096"})
    public String shape;

    private Backend impl;
    private Quantizer quantizer;
    private Arena arena;
    private FloatMatrix matrix;

    /** Made by JMH, once per trial. */
    public QuantizeBenchmark() {}

    /** Makes the input in native memory. */
    @Setup(Level.Trial)
    public void setUp() {
        impl = Workloads.backend(backend);
        quantizer = Workloads.quantizer(format);
        int[] nk = Workloads.shape(shape);
        float[] values = Workloads.normal(nk[0], nk[1], 3);
        DType dtype = DType.valueOf(input);
        arena = Arena.ofShared();
        MemorySegment data = arena.allocate((long) values.length * dtype.byteSize(), 64);
        for (int i = 0; i < values.length; i++) {
            if (dtype == DType.F32) {
                data.setAtIndex(F32_LE, i, values[i]);
            } else {
                data.setAtIndex(U16_LE, i, BF16.fromFloat(values[i]));
            }
        }
        matrix = FloatMatrix.of(data, dtype, nk[0], nk[1]);
    }

    /** One quantization of the whole tensor. */
    @Benchmark
    public QuantizedMatrix quantize() {
        return impl.quantize(quantizer, matrix);
    }

    /** Frees the input. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }
}
