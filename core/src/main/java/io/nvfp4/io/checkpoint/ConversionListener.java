package io.nvfp4.io.checkpoint;

import java.nio.file.Path;

/**
 * Hears how a conversion (or dequantization) goes, for a progress bar or a log. Methods are called
 * from the worker threads, possibly at the same time; implementations synchronize themselves and
 * must be quick. Every method does nothing by default.
 */
public interface ConversionListener {
    /** A listener that ignores everything. */
    ConversionListener NONE = new ConversionListener() { };

    /**
     * The work is planned.
     *
     * @param tensors     tensors to process
     * @param sourceBytes bytes of tensor data to read
     */
    default void started(int tensors, long sourceBytes) { }

    /** {@code bytes} more bytes of source tensor data are done. */
    default void progress(long bytes) { }

    /** A tensor is finished; {@code done} of {@code total} are. */
    default void tensorDone(TensorReport report, int done, int total) { }

    /** Output file {@code file}, shard {@code index} (1-based) of {@code count}, is complete. */
    default void fileWritten(Path file, int index, int count) { }

    /** Something worth a line of the log, not an error. */
    default void note(String message) { }
}
