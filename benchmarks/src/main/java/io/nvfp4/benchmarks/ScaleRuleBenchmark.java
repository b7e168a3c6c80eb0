package io.nvfp4.benchmarks;

import io.nvfp4.backend.Backend;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What each NVFP4 block-scale rule costs in quantization throughput, on the simd and the scalar
 * backend, through {@link Backend#quantize} from fp32 (modelopt recipe). G values/s = rows x columns /
 * time. The simd backend has vector paths for all three rules (byte-identical to the scalar ones), so
 * each rule's simd / scalar ratio is the speedup of its vector path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class ScaleRuleBenchmark {
    /** Backend name. */
    @Param({"simd", "scalar"})
    public String backend;

    /** The block-scale rule. */
    @Param({"REFERENCE", "FOUR_OVER_SIX", "MSE_SEARCH"})
    public String scaleRule;

    /** The tensor's rows x columns. */
    @Param({"4096x4096"})
    public String shape;

    private Backend impl;
    private Quantizer quantizer;
    private FloatMatrix matrix;

    /** Made by JMH, once per trial. */
    public ScaleRuleBenchmark() {}

    /** Makes the input. */
    @Setup(Level.Trial)
    public void setUp() {
        impl = Workloads.backend(backend);
        quantizer = Quantizer.nvfp4().withScaleRule(ScaleRule.valueOf(scaleRule));
        int[] nk = Workloads.shape(shape);
        matrix = FloatMatrix.of(Workloads.normal(nk[0], nk[1], 5), nk[0], nk[1]);
    }

    /** One quantization of the whole tensor. */
    @Benchmark
    public QuantizedMatrix quantize() {
        return impl.quantize(quantizer, matrix);
    }
}
