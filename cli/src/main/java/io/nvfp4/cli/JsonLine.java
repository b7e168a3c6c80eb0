package io.nvfp4.cli;

import java.util.StringJoiner;

/**
 * A one-line JSON object built from flat string, integer, double and boolean fields: all the
 * machine-readable output needs, without a JSON library on the module path.
 */
final class JsonLine {
    private final StringJoiner fields = new StringJoiner(",", "{", "}");

    /** Adds a string field. */
    JsonLine put(String key, String value) {
        return field(key, quote(value));
    }

    /** Adds an integer field. */
    JsonLine put(String key, long value) {
        return field(key, Long.toString(value));
    }

    /**
     * Adds a number field. Double.toString is valid JSON for finite values ({@code 4.5}, {@code 1.0E-4});
     * JSON has no NaN or infinity, so those are refused rather than written as invalid JSON.
     */
    JsonLine put(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value + " (field " + key + ")");
        }
        return field(key, Double.toString(value));
    }

    /** Adds a boolean field. */
    JsonLine put(String key, boolean value) {
        return field(key, Boolean.toString(value));
    }

    private JsonLine field(String key, String json) {
        fields.add(quote(key) + ":" + json);
        return this;
    }

    /** The object, on one line. */
    @Override
    public String toString() {
        return fields.toString();
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259, section 7). */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
