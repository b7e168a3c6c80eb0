package io.nvfp4.examples.minilm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The demo behind {@code nvfp4 demo}: embeds the {@link DemoSentences built-in sentences} with ONNX
 * Runtime fp32 (the reference), with our encoder in each {@link WeightMode}, and with ONNX Runtime on
 * the int8 model, and measures each against the reference ({@link Retrieval}) and its speed.
 *
 * <p>Speed, per engine and in the same run: first a warm-up, so that the JIT has compiled the hot
 * paths (eight calibration sentences as one batch and two texts one by one, repeated for twice
 * {@code minSeconds}), then
 * <ul>
 * <li><b>batch 32</b>: the 60 evaluation sentences in batches of 32 (the embeddings the accuracy
 *     columns use), repeated until at least {@code minSeconds} have passed;</li>
 * <li><b>batch 1</b>: the first {@code batch1Sentences} evaluation sentences one at a time, repeated
 *     until at least {@code minSeconds} have passed.</li>
 * </ul>
 * Sentences per second is texts embedded over wall-clock time, tokenization and pooling included.
 */
public final class MiniLmDemo {
    /** The ONNX Runtime fp32 row's id (the reference). */
    public static final String ORT_FP32 = "ort-fp32";
    /** The ONNX Runtime int8 row's id. */
    public static final String ORT_INT8 = "ort-int8";

    private MiniLmDemo() {}

    /**
     * One line of the demo's table.
     *
     * @param mode                   the engine and weight mode
     * @param description            what it is, in words
     * @param weightBytes            bytes of the 36 linear-layer weights in its storage
     * @param agreement              its agreement with ONNX Runtime fp32
     * @param sentencesPerSecond1    texts a second, one at a time
     * @param sentencesPerSecond32   texts a second, 32 at a time
     */
    public record Row(String mode, String description, long weightBytes, Retrieval.Agreement agreement,
                      double sentencesPerSecond1, double sentencesPerSecond32) {}

    /**
     * What to run.
     *
     * @param modes            mode ids to run, in order (see {@link #modeIds()}); the reference always runs
     * @param batch1Sentences  how many sentences the batch-1 timing embeds one by one
     * @param minSeconds       the least time each timing runs for
     */
    public record Settings(List<String> modes, int batch1Sentences, double minSeconds) {
        /** Checks the values. */
        public Settings {
            modes = List.copyOf(modes);
            for (String m : modes) {
                if (!modeIds().contains(m)) {
                    throw new IllegalArgumentException("unknown mode '" + m + "'; the modes are " + String.join(", ", modeIds()));
                }
            }
            if (batch1Sentences < 1 || batch1Sentences > DemoSentences.evaluation().size()) {
                throw new IllegalArgumentException("batch-1 sentences must be 1 to " + DemoSentences.evaluation().size());
            }
            if (!(minSeconds >= 0)) {
                throw new IllegalArgumentException("minimum seconds must not be negative");
            }
        }

        /** Every mode, 10 batch-1 sentences, a second a timing. */
        public static Settings defaults() {
            return new Settings(modeIds(), 10, 1);
        }
    }

    /** Every mode id: ONNX Runtime fp32, our weight modes, ONNX Runtime int8. */
    public static List<String> modeIds() {
        List<String> ids = new ArrayList<>();
        ids.add(ORT_FP32);
        WeightMode.all().forEach(m -> ids.add(m.id()));
        ids.add(ORT_INT8);
        return List.copyOf(ids);
    }

    /**
     * Runs the demo on {@code model}; {@code progress} hears a line as each engine starts.
     *
     * @return the reference row first, then the requested modes in order
     * @throws IOException if ONNX Runtime cannot load a model, or the int8 model is not a valid ONNX file
     */
    public static List<Row> run(MiniLm model, Settings settings, Consumer<String> progress) throws IOException {
        Objects.requireNonNull(progress, "progress");
        List<String> texts = DemoSentences.evaluationTexts();
        List<Row> rows = new ArrayList<>();
        float[][] reference;
        progress.accept(ORT_FP32 + ": ONNX Runtime on the fp32 model (the reference)");
        try (OrtEmbedder ort = model.ortFp32()) {
            Timing t = time(ort, texts, settings);
            reference = t.embeddings;
            rows.add(new Row(ORT_FP32, "ONNX Runtime " + OrtEmbedder.version() + ", fp32 model (the reference)",
                    ort.weightBytes(), Retrieval.compare(reference, reference), t.perSecond1, t.perSecond32));
        }
        for (String id : settings.modes()) {
            if (id.equals(ORT_FP32)) {
                continue;
            }
            if (id.equals(ORT_INT8)) {
                progress.accept(ORT_INT8 + ": ONNX Runtime on the int8 model");
                try (OrtEmbedder ort = model.ortInt8()) {
                    rows.add(row(ort, "ONNX Runtime, int8 model (dynamic quantization)", texts, reference, settings));
                }
                continue;
            }
            WeightMode mode = WeightMode.all().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
            progress.accept(id + ": " + mode.description());
            try (SentenceEmbedder ours = model.embedder(mode)) {
                rows.add(row(ours, mode.description(), texts, reference, settings));
            }
        }
        return rows;
    }

    private static Row row(Embedder e, String description, List<String> texts, float[][] reference, Settings settings) {
        Timing t = time(e, texts, settings);
        return new Row(e.id(), description, e.weightBytes(), Retrieval.compare(reference, t.embeddings),
                t.perSecond1, t.perSecond32);
    }

    private record Timing(float[][] embeddings, double perSecond1, double perSecond32) {}

    private static Timing time(Embedder e, List<String> texts, Settings settings) {
        long minNanos = (long) (settings.minSeconds() * 1e9);
        long warmUpStart = System.nanoTime();
        do {
            e.embed(DemoSentences.calibration().subList(0, 8), 8);
            e.embed(texts.subList(0, 2), 1);
        } while (System.nanoTime() - warmUpStart < 2 * minNanos);

        float[][] embeddings = null;
        long start = System.nanoTime();
        int done = 0;
        do {
            float[][] out = e.embed(texts, 32);
            embeddings = embeddings == null ? out : embeddings;
            done += texts.size();
        } while (System.nanoTime() - start < minNanos);
        double perSecond32 = done / ((System.nanoTime() - start) / 1e9);

        List<String> single = texts.subList(0, settings.batch1Sentences());
        start = System.nanoTime();
        done = 0;
        do {
            for (String text : single) {
                e.embed(List.of(text), 1);
            }
            done += single.size();
        } while (System.nanoTime() - start < minNanos);
        double perSecond1 = done / ((System.nanoTime() - start) / 1e9);
        return new Timing(embeddings, perSecond1, perSecond32);
    }
}
