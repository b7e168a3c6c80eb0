package io.nvfp4.cli;

import io.nvfp4.backend.Backends;
import io.nvfp4.examples.minilm.DemoSentences;
import io.nvfp4.examples.minilm.MiniLm;
import io.nvfp4.examples.minilm.MiniLmDemo;
import io.nvfp4.examples.minilm.Retrieval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nvfp4 demo}: a real model end to end. Embeds the built-in sentences with all-MiniLM-L6-v2
 * (from the langchain4j model jars on the module path) in every weight mode, and prints how close
 * each is to ONNX Runtime fp32 and how fast it runs.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Embed 60 built-in sentences (10 topics, 3 paraphrase pairs each) with the sentence-transformers model"
                + " all-MiniLM-L6-v2 in each weight mode: fp32, NVFP4 with each scale rule, MXFP4, NVFP4 W4A4;"
                + " and with ONNX Runtime on the original fp32 model (the reference) and on the int8 model."
                + " The model comes from the build's Maven dependencies; nothing is downloaded at run time.",
            "",
            "Columns:",
            "  weight bytes  storage of the 36 linear-layer weights (10.6M of the model's 22.7M parameters):"
                + " codes, block scales and tensor scales; embeddings, norms and biases stay fp32 in every mode",
            "  mean/min cos  cosine similarity of each sentence's embedding to ONNX Runtime fp32's, mean and minimum",
            "  top-1         fraction of sentences whose nearest other sentence (highest cosine) is the same as under"
                + " ONNX Runtime fp32",
            "  top-5         overlap of each sentence's 5 nearest other sentences with those under ONNX Runtime fp32,"
                + " |A and B| / 5, averaged over the sentences",
            "  sent/s b1     sentences a second embedded one at a time (the first --batch1-sentences sentences)",
            "  sent/s b32    sentences a second in batches of 32 (all 60; JSON sentences_per_s)",
            "Each engine is warmed up first (for twice --min-seconds); each timing runs for at least --min-seconds."
                + " Tokenization and pooling are included."
        })
final class DemoCommand implements Callable<Integer> {
    private static final String ROW = "%-22s %12s %9s %9s %6s %6s %10s %10s%n";

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object a mode instead of the table.")
    private boolean json;

    @Option(names = "--modes", split = ",", paramLabel = "MODE",
            description = "Modes to run, comma-separated (default: all): ort-fp32, fp32, nvfp4, nvfp4-four-over-six,"
                    + " nvfp4-mse-search, mxfp4, nvfp4-w4a4, ort-int8. The ort-fp32 reference always runs.")
    private List<String> modes;

    @Option(names = "--min-seconds", paramLabel = "S", defaultValue = "1",
            description = "Least time each timing runs for; the warm-up runs twice as long (default: ${DEFAULT-VALUE}).")
    private double minSeconds;

    @Option(names = "--batch1-sentences", paramLabel = "N", defaultValue = "10",
            description = "Sentences the batch-1 timing embeds one by one (default: ${DEFAULT-VALUE}).")
    private int batch1Sentences;

    @Option(names = "--model", paramLabel = "FILE",
            description = "An ONNX export of all-MiniLM-L6-v2 (or another 12-head BERT encoder) instead of the bundled one;"
                    + " needs --tokenizer.")
    private Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "Its tokenizer.json (with --model).")
    private Path tokenizer;

    @Option(names = "--int8-model", paramLabel = "FILE", description = "Its int8 ONNX export for the ort-int8 row (with --model).")
    private Path int8Model;

    @Override
    public Integer call() throws Exception {
        MiniLmDemo.Settings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return CommandFailure.run(spec, () -> {
            MiniLm miniLm = model == null ? MiniLm.load() : MiniLm.load(model, tokenizer, int8Model);
            if (!json) {
                out.printf(Locale.ROOT, "demo: all-MiniLM-L6-v2 on %d built-in sentences (10 topics, paraphrase pairs);"
                                + " JDK %s, %d processors, nvfp4 backend %s%n", DemoSentences.evaluation().size(),
                        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                        Backends.get().name());
                out.flush();
            }
            List<MiniLmDemo.Row> rows = MiniLmDemo.run(miniLm, settings, line -> {
                err.println("demo: running " + line);
                err.flush();
            });
            if (json) {
                rows.forEach(r -> out.println(json(r)));
            } else {
                table(rows, out);
            }
            out.flush();
            return 0;
        });
    }

    /** Checks the options: a bad one is a usage error (exit 2). */
    private MiniLmDemo.Settings settings() {
        if ((model == null) != (tokenizer == null)) {
            throw new ParameterException(spec.commandLine(), "--model and --tokenizer go together");
        }
        if (int8Model != null && model == null) {
            throw new ParameterException(spec.commandLine(), "--int8-model needs --model and --tokenizer");
        }
        List<String> chosen = modes == null ? new ArrayList<>(MiniLmDemo.modeIds()) : modes;
        if (model != null && int8Model == null) {
            if (modes != null && modes.contains(MiniLmDemo.ORT_INT8)) {
                throw new ParameterException(spec.commandLine(), "mode " + MiniLmDemo.ORT_INT8 + " needs --int8-model"
                        + " when --model is given");
            }
            chosen.remove(MiniLmDemo.ORT_INT8);
        }
        try {
            return new MiniLmDemo.Settings(chosen, batch1Sentences, minSeconds);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static void table(List<MiniLmDemo.Row> rows, PrintWriter out) {
        out.println("reference: " + rows.getFirst().description());
        out.println();
        out.printf(Locale.ROOT, ROW, "mode", "weight bytes", "mean cos", "min cos", "top-1", "top-5", "sent/s b1",
                "sent/s b32");
        for (MiniLmDemo.Row r : rows) {
            Retrieval.Agreement a = r.agreement();
            out.printf(Locale.ROOT, ROW, r.mode(), String.format(Locale.ROOT, "%,d", r.weightBytes()),
                    String.format(Locale.ROOT, "%.6f", a.meanCosine()), String.format(Locale.ROOT, "%.6f", a.minCosine()),
                    String.format(Locale.ROOT, "%.3f", a.top1()), String.format(Locale.ROOT, "%.3f", a.top5()),
                    String.format(Locale.ROOT, "%.1f", r.sentencesPerSecond1()),
                    String.format(Locale.ROOT, "%.1f", r.sentencesPerSecond32()));
        }
        out.println();
        for (MiniLmDemo.Row r : rows) {
            out.printf(Locale.ROOT, "%-22s %s%n", r.mode(), r.description());
        }
        out.println();
        out.println("cos: cosine similarity to ONNX Runtime fp32's embedding of the same sentence; top-1/top-5: agreement"
                + " of nearest neighbours with ONNX Runtime fp32 (see --help)");
    }

    private static String json(MiniLmDemo.Row r) {
        Retrieval.Agreement a = r.agreement();
        return new JsonLine().put("mode", r.mode()).put("weight_bytes", r.weightBytes())
                .put("mean_cosine", a.meanCosine()).put("min_cosine", a.minCosine())
                .put("top1_agreement", a.top1()).put("top5_agreement", a.top5())
                .put("sentences_per_s", r.sentencesPerSecond32())
                .put("sentences_per_s_batch1", r.sentencesPerSecond1())
                .put("sentences_per_s_batch32", r.sentencesPerSecond32())
                .put("description", r.description()).toString();
    }
}
