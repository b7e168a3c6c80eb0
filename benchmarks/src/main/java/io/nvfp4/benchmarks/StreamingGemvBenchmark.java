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

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GEMV (M = 1) with the weight streamed from memory: each call uses the next of several prepared
 * copies of the weight whose total ({@code streamMiB}) is far beyond the last-level cache, as a
 * decode step over a model's layers does. Report: GB/s = weight bytes (codes + scales) / time, as a
 * fraction of the in-run streaming-read roofline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g",
        "--sun-misc-unsafe-memory-access=allow"})
public class StreamingGemvBenchmark {
    /** Backend name. */
    @Param({"simd", "scalar"})
    public String backend;

    /** Block format of W. */
    @Param({"NVFP4", "MXFP4"})
    public String format;

    /** W's N x K. */
    @Param({"4096x4096", "14336x4096", "4096x14336"})
    public String shape;

    /** Threads of the compute pool, the caller included. */
    @Param({"1", "2"})
    public int threads;

    /** Total MiB of the weight copies cycled through. */
    @Param({"512"})
    public int streamMiB;

    private Backend impl;
    private Arena arena;
    private PreparedWeight[] prepared;
    private FloatMatrix x;
    private float[] y;
    private ComputePool pool;
    private int next;

    /** Made by JMH, once per trial. */
    public StreamingGemvBenchmark() {}

    /** Quantizes the weight once and prepares its copies. */
    @Setup(Level.Trial)
    public void setUp() {
        impl = Workloads.backend(backend);
        int[] nk = Workloads.shape(shape);
        arena = Arena.ofShared();
        List<QuantizedMatrix> copies = Workloads.copies(Workloads.weight(impl, format, nk[0], nk[1]),
                (long) streamMiB << 20, arena);
        prepared = copies.stream().map(impl::prepare).toArray(PreparedWeight[]::new);
        x = FloatMatrix.of(Workloads.normal(1, nk[1], 2), 1, nk[1]);
        y = new float[nk[0]];
        pool = ComputePool.create(threads);
    }

    /** One GEMV on the next copy. */
    @Benchmark
    public float[] gemv() {
        PreparedWeight w = prepared[next];
        next = next + 1 == prepared.length ? 0 : next + 1;
        impl.matmul(w, x, y, pool);
        return y;
    }

    /** Frees the copies and the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        for (PreparedWeight w : prepared) {
            w.close();
        }
        pool.close();
        arena.close();
    }
}
