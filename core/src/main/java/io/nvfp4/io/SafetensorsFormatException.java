package io.nvfp4.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A safetensors file, or a Hugging Face shard index, that breaks a rule of the format. The message
 * names the file, the tensor when one is involved, and the rule; {@link #rule()} gives the rule as a
 * value for programs.
 *
 * <p>It is an {@link IOException}: a caller that handles failures to read a file handles malformed
 * files with the same {@code catch}, and a reader's methods declare one checked exception, not two.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The rules a file can break. The first ten mirror the errors of the reference Rust reader
     * ({@code SafeTensorError}) one to one; the rest are this reader's additional limits.
     */
    public enum Rule {
        /** The file is shorter than the 8-byte header length (Rust {@code HeaderTooSmall}). */
        HEADER_TOO_SMALL("the file must start with an 8-byte header length"),
        /** The header length exceeds 100,000,000 bytes (Rust {@code HeaderTooLarge}). */
        HEADER_TOO_LARGE("the header must be at most 100000000 bytes"),
        /** 8 + header length runs past the end of the file (Rust {@code InvalidHeaderLength}). */
        INVALID_HEADER_LENGTH("the header must fit in the file"),
        /** The header is not valid UTF-8 (Rust {@code InvalidHeader}). */
        INVALID_HEADER("the header must be UTF-8"),
        /** The header is not JSON or not the safetensors schema (Rust {@code InvalidHeaderDeserialization}). */
        INVALID_HEADER_DESERIALIZATION("the header must be a JSON object of tensor entries"),
        /** Tensors overlap, leave a hole, or do not start at 0 (Rust {@code InvalidOffset}). */
        INVALID_OFFSET("tensor data must be contiguous, without holes or overlaps, starting at 0"),
        /** The element or bit count overflows (Rust {@code ValidationOverflow}). */
        VALIDATION_OVERFLOW("the element count times the element size must not overflow"),
        /** A sub-byte tensor does not fill whole bytes (Rust {@code MisalignedSlice}). */
        MISALIGNED_SLICE("a tensor's elements must fill whole bytes"),
        /** The byte range does not match dtype size x shape (Rust {@code TensorInvalidInfo}). */
        TENSOR_INVALID_INFO("a tensor's byte range must equal its element count times its element size"),
        /** The data buffer is longer or shorter than the tensors need (Rust {@code MetadataIncompleteBuffer}). */
        METADATA_INCOMPLETE_BUFFER("the file must end exactly where the last tensor ends"),
        /** A key appears twice in one JSON object. */
        DUPLICATE_KEY("JSON keys must be unique"),
        /** A dtype string the format does not define. */
        UNKNOWN_DTYPE("the dtype must be one the safetensors format defines"),
        /** More tensors than {@link SafetensorsFile#MAX_TENSORS}. */
        TOO_MANY_TENSORS("at most " + SafetensorsFile.MAX_TENSORS + " tensors a file"),
        /** A tensor name longer than {@link SafetensorsFile#MAX_NAME_LENGTH} characters. */
        NAME_TOO_LONG("tensor names must be at most " + SafetensorsFile.MAX_NAME_LENGTH + " characters"),
        /** A shard index that does not describe the shards beside it. */
        INVALID_INDEX("a shard index must map every tensor to the shard that holds it");

        private final String description;

        Rule(String description) {
            this.description = description;
        }

        /** What the rule requires, in a few words. */
        public String description() {
            return description;
        }
    }

    private final transient Path file;
    private final String tensor;
    private final Rule rule;

    /**
     * @param file   the file that breaks the rule
     * @param tensor the tensor involved, or null
     * @param rule   the rule broken
     * @param detail what was found, in a few words
     */
    public SafetensorsFormatException(Path file, String tensor, Rule rule, String detail) {
        this(file, tensor, rule, detail, null);
    }

    /** As {@link #SafetensorsFormatException(Path, String, Rule, String)}, with the underlying cause. */
    public SafetensorsFormatException(Path file, String tensor, Rule rule, String detail, Throwable cause) {
        super(message(file, tensor, rule, detail), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.tensor = tensor;
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    private static String message(Path file, String tensor, Rule rule, String detail) {
        return file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + detail
                + " (" + rule + ": " + rule.description() + ")";
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The tensor involved, or null when the rule concerns the whole file. */
    public String tensor() {
        return tensor;
    }

    /** The rule broken. */
    public Rule rule() {
        return rule;
    }
}
