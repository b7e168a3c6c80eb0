package io.nvfp4.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLineTest {
    @Test
    void writesEachFieldType() {
        String json = new JsonLine().put("s", "x").put("i", 16).put("d", 0.5625).put("b", false).toString();

        assertThat(json).isEqualTo("{\"s\":\"x\",\"i\":16,\"d\":0.5625,\"b\":false}");
    }

    @Test
    void emptyObject() {
        assertThat(new JsonLine()).hasToString("{}");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(JsonLine.quote("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
    }

    @Test
    void refusesNumbersJsonCannotHold() {
        assertThatThrownBy(() -> new JsonLine().put("x", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JsonLine().put("x", Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
