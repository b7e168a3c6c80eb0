package io.nvfp4.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON trees: order and number text kept, duplicate keys refused, Python's layout reproduced. */
class JsonTest {
    private static Object parse(String s) throws IOException {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rewritingChangesNothingButWhatChanged() throws IOException {
        String config = """
                {
                  "b": 1e-05,
                  "a": [
                    500000.0,
                    true,
                    null
                  ],
                  "c": {},
                  "d": [],
                  "e": "x"
                }
                """;
        Map<String, Object> tree = Json.asObject(parse(config));
        assertThat(tree.keySet()).containsExactly("b", "a", "c", "d", "e");
        assertThat(tree.get("b")).isEqualTo(new Json.RawNumber("1e-05"));
        assertThat(new String(Json.write(tree, Json.Style.INDENT_2), StandardCharsets.UTF_8)).isEqualTo(config);
        assertThat(new String(Json.write(tree, Json.Style.COMPACT), StandardCharsets.UTF_8))
                .isEqualTo("{\"b\":1e-05,\"a\":[500000.0,true,null],\"c\":{},\"d\":[],\"e\":\"x\"}");
    }

    @Test
    void indentedStylesEscapeNonAsciiAsPythonDoes() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "caf\u00e9");
        tree.put("n", List.of(1, 2.5));
        assertThat(new String(Json.write(tree, Json.Style.INDENT_4), StandardCharsets.UTF_8)).isEqualTo("""
                {
                    "name": "caf\\u00E9",
                    "n": [
                        1,
                        2.5
                    ]
                }
                """);
    }

    @Test
    void duplicateKeysAndTrailingContentAreErrors() {
        assertThatThrownBy(() -> parse("{\"a\":1,\"a\":2}")).isInstanceOf(IOException.class).hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> parse("{\"a\":{\"b\":1,\"b\":1}}")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> parse("{} {}")).isInstanceOf(IOException.class).hasMessageContaining("after the JSON value");
        assertThatThrownBy(() -> parse("")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.write(Double.NaN, Json.Style.COMPACT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessorsReadTypedValues() throws IOException {
        Map<String, Object> tree = Json.asObject(parse("{\"i\":16,\"f\":1.5,\"s\":\"x\",\"l\":[\"a\"],\"o\":{}}"));
        assertThat(Json.integer(tree, "i")).contains(16L);
        assertThat(Json.integer(tree, "f")).isEmpty();
        assertThat(Json.string(tree, "s")).contains("x");
        assertThat(Json.array(tree, "l").orElseThrow()).containsExactly("a");
        assertThat(Json.object(tree, "o")).isPresent();
        assertThat(Json.object(tree, "s")).isEmpty();
    }
}
