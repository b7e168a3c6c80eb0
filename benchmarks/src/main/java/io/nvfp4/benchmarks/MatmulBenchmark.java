package io.nvfp4.benchmarks;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
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

import java.util.concurrent.TimeUnit;

/**
 * {@code y = x * W^T} through the Backend SPI with one prepared weight (as hot as the caches keep
 * it): GEMV at M = 1, GEMM above. Weight N x K per {@code shape}; fp32 activations M x K.
 * Report: GFLOP/s = 2 M N K / time, as a fraction of the in-run FMA roofline for M &gt; 1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g",
        "--sun-misc-unsafe-memory-access=allow"})
public class MatmulBenchmark {
    /** Backend name ({@code nvfp4.backend} values); unavailable ones are left out by {@link RooflineBench}. */
    @Param({"simd", "scalar"})
    public String backend;

    /** Block format of W. */
    @Param({"NVFP4", "MXFP4"})
    public String format;

    /** W's N x K (Llama-3-8B projections). */
    @Param({"4096x4096", "14336x4096", "4096x14336"})
    public String shape;

    /** Rows of x. */
    @Param({"1", "8", "32", "128", "512"})
    public int m;

    /** Threads of the compute pool, the caller included. */
    @Param({"1", "2"})
    public int threads;

    private Backend impl;
    private PreparedWeight prepared;
    private FloatMatrix x;
    private float[] y;
    private ComputePool pool;

    /** Made by JMH, once per trial. */
    public MatmulBenchmark() {}

    /** Quantizes and prepares the weight, makes x and the pool. */
    @Setup(Level.Trial)
    public void setUp() {
        impl = Workloads.backend(backend);
        int[] nk = Workloads.shape(shape);
        QuantizedMatrix w = Workloads.weight(impl, format, nk[0], nk[1]);
        prepared = impl.prepare(w);
        x = FloatMatrix.of(Workloads.normal(m, nk[1], 2), m, nk[1]);
        y = new float[m * nk[0]];
        pool = ComputePool.create(threads);
    }

    /** One matmul. */
    @Benchmark
    public float[] matmul() {
        impl.matmul(prepared, x, y, pool);
        return y;
    }

    /** Frees the prepared weight and the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
        pool.close();
    }
}
