package io.nvfp4.io.checkpoint;

import java.io.IOException;

/**
 * A model folder that breaks its checkpoint layout's conventions (a quantized weight without its
 * scales, shapes that disagree, a config that names a format the tensors do not have), or a folder a
 * conversion cannot take (already quantized, say). The message names the folder, the tensor and what
 * is wrong, in one line.
 *
 * <p>An {@link IOException}, like the {@link io.nvfp4.io.SafetensorsFormatException} of a malformed
 * file, so callers handle every unusable input with one {@code catch}.
 */
public final class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with one line of explanation.
     *
     * @param message what is wrong, naming the folder or file and the tensor
     */
    public CheckpointException(String message) {
        super(message);
    }

    /** As {@link #CheckpointException(String)}, with the underlying cause. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
