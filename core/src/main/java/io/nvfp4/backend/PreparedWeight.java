package io.nvfp4.backend;

import io.nvfp4.tensor.QuantizedMatrix;

/**
 * A weight made ready for one backend's {@link Backend#matmul}: possibly repacked, possibly on a
 * device. Immutable and safe to use from many threads; {@link #close()} frees what it holds.
 */
public interface PreparedWeight extends AutoCloseable {

    /** The weight it was prepared from. */
    QuantizedMatrix weight();

    /** The backend that prepared it and the only one that can use it. */
    Backend backend();

    /** Frees what the backend holds for it. Idempotent. */
    @Override
    void close();
}
