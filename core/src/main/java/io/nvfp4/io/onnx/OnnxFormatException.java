package io.nvfp4.io.onnx;

import java.io.IOException;

/**
 * An ONNX file that cannot be read: not protobuf, a truncated or inconsistent message, a tensor whose
 * data does not match its shape, external data that is missing. The message names the source (a
 * file or a class-path resource), the tensor when one is involved, and the byte offset in the source
 * where the reader stopped when that helps.
 *
 * <p>It is an {@link IOException}, like the safetensors reader's format errors: a caller that handles a
 * file it cannot read handles a malformed one with the same {@code catch}.
 */
public final class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String tensor;
    private final long offset;
    private final String detail;

    /**
     * @param source what was read (a path or a resource name)
     * @param tensor the tensor involved, or null
     * @param offset the byte offset in {@code source} where the problem was found, or -1
     * @param detail what is wrong, in a few words
     */
    public OnnxFormatException(String source, String tensor, long offset, String detail) {
        this(source, tensor, offset, detail, null);
    }

    /** As {@link #OnnxFormatException(String, String, long, String)}, with the underlying cause. */
    public OnnxFormatException(String source, String tensor, long offset, String detail, Throwable cause) {
        super(source + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + detail
                + (offset < 0 ? "" : " (at byte " + offset + ")"), cause);
        this.source = source;
        this.tensor = tensor;
        this.offset = offset;
        this.detail = detail;
    }

    /** The file or resource that was read. */
    public String source() {
        return source;
    }

    /** The tensor involved, or null when the problem concerns the model as a whole. */
    public String tensor() {
        return tensor;
    }

    /** The byte offset where the problem was found, or -1 when it has none. */
    public long offset() {
        return offset;
    }

    /** This error, about {@code tensorName}: the wire reader does not know which tensor it was in. */
    OnnxFormatException inTensor(String tensorName) {
        return tensor != null ? this : new OnnxFormatException(source, tensorName, offset, detail, getCause());
    }
}
