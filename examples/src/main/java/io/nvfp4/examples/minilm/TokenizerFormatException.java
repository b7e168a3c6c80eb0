package io.nvfp4.examples.minilm;

import java.io.IOException;

/**
 * A tokenizer file that cannot be used: not JSON, or a tokenizer whose normalizer, pre-tokenizer,
 * model or post-processor {@link WordPieceTokenizer} does not implement. The message names the file,
 * the setting and what this tokenizer understands instead.
 */
public final class TokenizerFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source the tokenizer file or resource
     * @param detail what is wrong, in a few words
     */
    public TokenizerFormatException(String source, String detail) {
        super("tokenizer file " + source + ": " + detail);
    }

    /** As {@link #TokenizerFormatException(String, String)}, with the underlying cause. */
    public TokenizerFormatException(String source, String detail, Throwable cause) {
        super("tokenizer file " + source + ": " + detail, cause);
    }
}
