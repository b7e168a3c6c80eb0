package io.nvfp4.benchmarks;

import io.nvfp4.backend.ComputePool;
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
 * The compute roofline: every pool thread does {@link ProbeKernels#LANE_FMAS_PER_THREAD} fp32 FMAs on
 * independent accumulators, with the Vector API or in a plain loop that C2 vectorizes. The report
 * keeps the faster as the roofline for GEMM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g",
        "--sun-misc-unsafe-memory-access=allow"})
public class FmaRooflineBenchmark {
    /** {@code vector} (jdk.incubator.vector) or {@code loop} (plain Java). */
    @Param({"vector", "loop"})
    public String impl;

    /** Threads of the compute pool, the caller included; each does the same work. */
    @Param({"1", "2"})
    public int threads;

    private float[] results;
    private ComputePool pool;
    private boolean vector;

    /** Made by JMH, once per trial. */
    public FmaRooflineBenchmark() {}

    /** Makes the pool. */
    @Setup(Level.Trial)
    public void setUp() {
        results = new float[threads * ProbeKernels.FMA_TASKS_PER_THREAD];
        pool = ComputePool.create(threads);
        vector = switch (impl) {
            case "vector" -> true;
            case "loop" -> false;
            default -> throw new IllegalArgumentException("impl is vector or loop, got " + impl);
        };
    }

    /** One probe: {@code threads * LANE_FMAS_PER_THREAD} FMAs. */
    @Benchmark
    public float fma() {
        long laneFmas = ProbeKernels.LANE_FMAS_PER_THREAD / ProbeKernels.FMA_TASKS_PER_THREAD;
        pool.parallelFor(results.length, t -> results[t] = vector ? VectorProbeKernels.fma(laneFmas)
                : ProbeKernels.fmaLoop(laneFmas));
        float s = 0;
        for (float r : results) {
            s += r;
        }
        return s;
    }

    /** Stops the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
