/**
 * JMH benchmarks of the backends with the roofline probes of the same run: {@link
 * io.nvfp4.benchmarks.MatmulBenchmark} (GEMV and GEMM on a prepared weight), {@link
 * io.nvfp4.benchmarks.StreamingGemvBenchmark} (GEMV with weights streamed from memory), {@link
 * io.nvfp4.benchmarks.QuantizeBenchmark}, {@link io.nvfp4.benchmarks.MemoryRooflineBenchmark} and
 * {@link io.nvfp4.benchmarks.FmaRooflineBenchmark}. {@link io.nvfp4.benchmarks.RooflineBench} runs
 * them and prints each kernel as a fraction of its roofline.
 */
package io.nvfp4.benchmarks;
