package io.nvfp4.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * JSON trees for the small files of a model folder ({@code config.json}, shard indexes, quantization
 * configs, reports), read and written with jackson-core's streaming parser and generator.
 *
 * <p>The tree is plain Java: an object is a {@code Map<String, Object>} that keeps the file's key
 * order, an array a {@code List<Object>}, a string a {@code String}, a boolean a {@code Boolean},
 * {@code null} is Java null, and a number a {@link RawNumber} that keeps the number's text as it was
 * written, so that rewriting a {@code config.json} changes nothing but what the caller changed
 * ({@code 1e-05} stays {@code 1e-05}). When writing, {@code Integer}, {@code Long}, {@code Double} and
 * the other {@link Number}s are accepted too; NaN and infinities are refused, since JSON has none.
 *
 * <p>Parsing is strict: a duplicate key in any object is an error, as is anything after the value.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    // Python's json.dumps escapes non-ASCII by default (ensure_ascii=True); the files written in that
    // style get the same escapes, so that they read the same to both.
    private static final JsonFactory ASCII_FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private Json() {}

    /** A JSON number, kept as written. */
    public record RawNumber(String text) {
        /** @throws NumberFormatException if {@code text} is not a number */
        public RawNumber {
            new BigDecimal(Objects.requireNonNull(text, "text")); // validates; JSON numbers are BigDecimal syntax
        }

        /** Whether the number has neither a fraction nor an exponent. */
        public boolean isIntegral() {
            return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        }

        /** The exact value as a long. @throws ArithmeticException if it is not an integer in range */
        public long longValueExact() {
            return new BigDecimal(text).longValueExact();
        }

        /** The value rounded to a double. */
        public double doubleValue() {
            return Double.parseDouble(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** How a tree is laid out when written. */
    public enum Style {
        /** One line, no spaces: {@code {"a":[1,2]}} (what serde_json and the safetensors header use). */
        COMPACT,
        /** Python's {@code json.dumps(indent=2)}, with a final newline (transformers' config.json, indexes). */
        INDENT_2,
        /** Python's {@code json.dumps(indent=4)}, with a final newline (modelopt's hf_quant_config.json). */
        INDENT_4
    }

    /**
     * Parses UTF-8 JSON text into a tree.
     *
     * @throws IOException if the text is not one JSON value (a duplicate key included)
     */
    public static Object parse(byte[] utf8) throws IOException {
        try (JsonParser p = FACTORY.createParser(utf8)) {
            if (p.nextToken() == null) {
                throw new IOException("no JSON value (empty input)");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IOException("unexpected " + p.currentToken() + " after the JSON value, at "
                        + p.currentLocation().offsetDescription());
            }
            return value;
        }
    }

    /**
     * Reads a JSON file into a tree; errors name the file.
     *
     * @throws IOException if the file cannot be read or is not one JSON value
     */
    public static Object parse(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (IOException e) {
            throw new IOException(file + ": invalid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    /** Reads a JSON file whose top level must be an object. */
    public static Map<String, Object> parseObject(Path file) throws IOException {
        Object value = parse(file);
        if (!(value instanceof Map<?, ?>)) {
            throw new IOException(file + ": expected a JSON object at the top level, found " + typeName(value));
        }
        return asObject(value);
    }

    /** Writes {@code tree} as UTF-8 bytes. */
    public static byte[] write(Object tree, Style style) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = (style == Style.COMPACT ? FACTORY : ASCII_FACTORY).createGenerator(out)) {
            if (style != Style.COMPACT) {
                g.setPrettyPrinter(new PythonStylePrinter(style == Style.INDENT_2 ? 2 : 4));
            }
            write(g, tree);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e); // a ByteArrayOutputStream does not fail
        }
        if (style != Style.COMPACT) {
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Writes {@code tree} to {@code file} atomically (see {@link AtomicFiles#write}). */
    public static void write(Path file, Object tree, Style style) throws IOException {
        AtomicFiles.write(file, write(tree, style));
    }

    /** {@code value} as an object, unchecked: the caller has checked it is a map with string keys. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object value) {
        return (Map<String, Object>) value;
    }

    /** The object {@code key} of {@code object}, if present and an object. */
    public static Optional<Map<String, Object>> object(Map<String, Object> object, String key) {
        return object.get(key) instanceof Map<?, ?> m ? Optional.of(asObject(m)) : Optional.empty();
    }

    /** The string {@code key} of {@code object}, if present and a string. */
    public static Optional<String> string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The list {@code key} of {@code object}, if present and an array. */
    @SuppressWarnings("unchecked")
    public static Optional<List<Object>> array(Map<String, Object> object, String key) {
        return object.get(key) instanceof List<?> l ? Optional.of((List<Object>) l) : Optional.empty();
    }

    /** The integer {@code key} of {@code object}, if present and an integral number in long range. */
    public static Optional<Long> integer(Map<String, Object> object, String key) {
        Object v = object.get(key);
        try {
            if (v instanceof RawNumber n && n.isIntegral()) {
                return Optional.of(n.longValueExact());
            }
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
        if (v instanceof Integer || v instanceof Long) {
            return Optional.of(((Number) v).longValue());
        }
        return Optional.empty();
    }

    /** A short name of a tree value's JSON type, for messages. */
    public static String typeName(Object value) {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            default -> "a number";
        };
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, read(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new RawNumber(p.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + t + " at " + p.currentLocation().offsetDescription());
        };
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    }
                    g.writeFieldName(key);
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Collection<?> list -> {
                g.writeStartArray();
                for (Object item : list) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            case long[] longs -> {
                g.writeStartArray();
                for (long l : longs) {
                    g.writeNumber(l);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case RawNumber n -> g.writeNumber(n.text());
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case BigInteger b -> g.writeNumber(b);
            case BigDecimal b -> g.writeNumber(b);
            case Double d -> g.writeNumber(finite(d));
            case Float f -> g.writeNumber(finite(f));
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static double finite(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d);
        }
        return d;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
