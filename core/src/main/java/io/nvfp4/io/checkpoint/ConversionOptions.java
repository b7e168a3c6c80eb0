package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link Converter} writes and how. Immutable; start from {@link #defaults()} and change with
 * the {@code with*} methods.
 *
 * @param layout       the checkpoint layout: {@link CheckpointLayout#MODELOPT} or
 *                     {@link CheckpointLayout#COMPRESSED_TENSORS}
 * @param format       {@link BlockFormat#NVFP4}, or {@link BlockFormat#MXFP4} (compressed-tensors layout only)
 * @param includes     when not empty, only tensors whose name one of these finds (regex search, as
 *                     Python's {@code re.search}) are quantized, default exclusions notwithstanding
 * @param excludes     tensors whose name one of these finds are not quantized, whatever else says
 * @param threads      worker threads (quantization, error measurement and writing)
 * @param maxShardSize the most bytes of tensor data an output file holds
 * @param fuseScales   NVFP4: fused siblings (q/k/v, gate/up, MLA q_a/kv_a, w1/w3) share one tensor scale
 * @param overwrite    replace the contents of a non-empty output folder
 * @param scaleRule    NVFP4 block-scale rule ({@link ScaleRule#REFERENCE} reproduces the reference exporter)
 * @param stochasticRounding round elements stochastically instead of to nearest
 * @param seed         the stochastic-rounding seed; each tensor chunk draws from its own stream derived
 *                     from it, the tensor name and the chunk's first row, so the bytes depend on the seed only
 */
public record ConversionOptions(CheckpointLayout layout, BlockFormat format, List<Pattern> includes,
                                List<Pattern> excludes, int threads, long maxShardSize, boolean fuseScales,
                                boolean overwrite, ScaleRule scaleRule, boolean stochasticRounding, long seed) {
    /** transformers' long-standing default shard size, 5 GB (decimal). */
    public static final long DEFAULT_MAX_SHARD_SIZE = 5_000_000_000L;

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException if the layout cannot hold the format, the layout is read-only,
     *                                  {@code fuseScales} is asked of a format without tensor scales,
     *                                  or a count is not positive
     */
    public ConversionOptions {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(format, "format");
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        if (layout == CheckpointLayout.GPT_OSS) {
            throw new IllegalArgumentException("the gpt-oss layout is read, not written: choose modelopt or compressed-tensors");
        }
        if (format != BlockFormat.NVFP4 && format != BlockFormat.MXFP4) {
            throw new IllegalArgumentException("checkpoints hold NVFP4 or MXFP4, not " + format);
        }
        if (format == BlockFormat.MXFP4 && layout != CheckpointLayout.COMPRESSED_TENSORS) {
            throw new IllegalArgumentException("MXFP4 is written in the compressed-tensors layout (mxfp4-pack-quantized);"
                    + " modelopt has no weight-only MXFP4 checkpoint");
        }
        if (fuseScales && !format.hasTensorScale()) {
            throw new IllegalArgumentException("fusing tensor scales applies to NVFP4; " + format + " has no tensor scale");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (maxShardSize < 1) {
            throw new IllegalArgumentException("the maximum shard size must be positive, got " + maxShardSize);
        }
        Objects.requireNonNull(scaleRule, "scaleRule");
        tune(format == BlockFormat.NVFP4 ? Quantizer.nvfp4() : Quantizer.mx(format), scaleRule, stochasticRounding,
                seed); // the quantizer rejects what cannot be combined, with the reason
    }

    /** {@code base} with the scale rule and rounding of these options. */
    Quantizer tune(Quantizer base, long chunkSeed) {
        return tune(base, scaleRule, stochasticRounding, chunkSeed);
    }

    private static Quantizer tune(Quantizer base, ScaleRule rule, boolean stochastic, long seed) {
        Quantizer q = rule == ScaleRule.REFERENCE ? base : base.withScaleRule(rule);
        return stochastic ? q.withStochasticRounding(seed) : q;
    }

    /** Whether the output is the reference exporter's bytes (no scale rule or rounding option). */
    public boolean reproducesReference() {
        return scaleRule == ScaleRule.REFERENCE && !stochasticRounding;
    }

    /** modelopt NVFP4, default exclusions, one thread per processor, 5 GB shards, no fused scales. */
    public static ConversionOptions defaults() {
        return new ConversionOptions(CheckpointLayout.MODELOPT, BlockFormat.NVFP4, List.of(), List.of(),
                Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_SHARD_SIZE, false, false, ScaleRule.REFERENCE, false, 0);
    }

    /** With {@code layout}. */
    public ConversionOptions withLayout(CheckpointLayout layout) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With {@code format}. */
    public ConversionOptions withFormat(BlockFormat format) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With these include patterns. */
    public ConversionOptions withIncludes(List<Pattern> includes) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With these exclude patterns. */
    public ConversionOptions withExcludes(List<Pattern> excludes) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With {@code threads} workers. */
    public ConversionOptions withThreads(int threads) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With shards of at most {@code bytes} of tensor data. */
    public ConversionOptions withMaxShardSize(long bytes) {
        return new ConversionOptions(layout, format, includes, excludes, threads, bytes, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With fused sibling scales on or off. */
    public ConversionOptions withFuseScales(boolean fuse) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuse, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With overwriting a non-empty output folder on or off. */
    public ConversionOptions withOverwrite(boolean overwrite) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite, scaleRule, stochasticRounding, seed);
    }

    /** With NVFP4 block scales chosen by {@code rule}. */
    public ConversionOptions withScaleRule(ScaleRule rule) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite,
                rule, stochasticRounding, seed);
    }

    /** With elements rounded stochastically from {@code seed}. */
    public ConversionOptions withStochasticRounding(long seed) {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite,
                scaleRule, true, seed);
    }

    /** With elements rounded to nearest (the default). */
    public ConversionOptions withNearestRounding() {
        return new ConversionOptions(layout, format, includes, excludes, threads, maxShardSize, fuseScales, overwrite,
                scaleRule, false, 0);
    }
}
