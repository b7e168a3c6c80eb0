package io.nvfp4.examples.minilm;

import java.util.Arrays;

/**
 * A text as the model reads it: token ids with the special tokens in place, their token type ids
 * (segment A = 0), and whether the text had to be cut to the model's length.
 *
 * @param ids            token ids, [CLS] first and [SEP] last for a BERT template
 * @param typeIds        token type ids, one per token
 * @param fullLength     the token count before truncation, special tokens included
 * @param maxLength      the limit it was held to
 */
public record Encoding(int[] ids, int[] typeIds, int fullLength, int maxLength) {
    /** Copies the arrays. */
    public Encoding {
        ids = ids.clone();
        typeIds = typeIds.clone();
        if (ids.length != typeIds.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + typeIds.length + " type ids");
        }
    }

    /** The token ids (a copy). */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** The token type ids (a copy). */
    @Override
    public int[] typeIds() {
        return typeIds.clone();
    }

    /** Tokens the model reads. */
    public int length() {
        return ids.length;
    }

    /** Token id {@code i}, without copying. */
    public int id(int i) {
        return ids[i];
    }

    /** Token type id {@code i}, without copying. */
    public int typeId(int i) {
        return typeIds[i];
    }

    /** Whether tokens were cut off to fit {@link #maxLength()}. */
    public boolean truncated() {
        return fullLength > ids.length;
    }

    /** A one-line notice about the truncation, naming the input; for logs and command-line output. */
    public String truncationNotice(String input) {
        return input + " has " + fullLength + " tokens, more than the model's limit of " + maxLength
                + "; truncated to " + ids.length + " (special tokens included), the rest is not embedded";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds)
                && fullLength == e.fullLength && maxLength == e.maxLength;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(ids) + (truncated() ? " (truncated from " + fullLength + ")" : "");
    }
}
