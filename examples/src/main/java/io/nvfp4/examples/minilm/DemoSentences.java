package io.nvfp4.examples.minilm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in sentences: an evaluation set of 60 sentences in 10 topics, written as pairs of
 * paraphrases so that nearest-neighbour retrieval on it means something, and 16 other sentences for
 * calibrating activation scales. Both are resources of this module
 * ({@code sentences.txt}, {@code calibration.txt}).
 */
public final class DemoSentences {
    private static final List<Sentence> EVALUATION = load("sentences.txt");
    private static final List<String> CALIBRATION = load("calibration.txt").stream().map(Sentence::text).toList();

    private DemoSentences() {}

    /** A sentence and its topic. */
    public record Sentence(String topic, String text) {}

    /** The evaluation sentences with their topics, in file order (paraphrases adjacent). */
    public static List<Sentence> evaluation() {
        return EVALUATION;
    }

    /** The evaluation sentences' texts. */
    public static List<String> evaluationTexts() {
        return EVALUATION.stream().map(Sentence::text).toList();
    }

    /** The calibration sentences (not in the evaluation set). */
    public static List<String> calibration() {
        return CALIBRATION;
    }

    private static List<Sentence> load(String name) {
        try (InputStream in = DemoSentences.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the nvfp4-examples jar");
            }
            List<Sentence> out = new ArrayList<>();
            String topic = "";
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String s = line.strip();
                if (s.startsWith("## ")) {
                    topic = s.substring(3).strip();
                } else if (!s.isEmpty() && !s.startsWith("#")) {
                    out.add(new Sentence(topic, s));
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + name, e);
        }
    }
}
