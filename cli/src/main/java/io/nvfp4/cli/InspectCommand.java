package io.nvfp4.cli;

import io.nvfp4.io.Json;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsHeader;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.io.checkpoint.CheckpointException;
import io.nvfp4.io.checkpoint.CheckpointLayout;
import io.nvfp4.io.checkpoint.QuantizedCheckpoint;
import io.nvfp4.io.checkpoint.QuantizedWeight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code nvfp4 inspect PATH}: what a model folder or safetensors file holds, from the headers and
 * config files alone (two small reads a file, no tensor data): tensors, dtypes, shapes, sizes, the
 * checkpoint layout detected, bits per weight, the config, and any inconsistency between them.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = "List a model's tensors (dtype, shape, bytes, file), the checkpoint layout and format detected,"
                + " bits per quantized weight, a config summary and any inconsistency, reading only headers and configs.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or .safetensors file.")
    private Path path;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    /** What was found, in the order it is printed. */
    private record Summary(ModelFolder folder, Map<String, Object> config, QuantizedCheckpoint checkpoint,
                           String unreadable) {
        Optional<QuantizedCheckpoint> quantized() {
            return Optional.ofNullable(checkpoint).filter(QuantizedCheckpoint::isQuantized);
        }
    }

    @Override
    public Integer call() throws Exception {
        return CommandFailure.run(spec, () -> {
            try (ModelFolder folder = ModelFolder.open(path)) {
                Map<String, Object> config = folder.config().orElse(null);
                QuantizedCheckpoint checkpoint = null;
                String unreadable = null;
                try {
                    checkpoint = QuantizedCheckpoint.of(folder);
                } catch (CheckpointException e) {
                    unreadable = e.getMessage();
                }
                Summary s = new Summary(folder, config, checkpoint, unreadable);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.print(new String(Json.write(toJson(s), Json.Style.INDENT_2), StandardCharsets.UTF_8));
                } else {
                    print(s, out);
                }
                out.flush();
                if (unreadable != null) {
                    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + unreadable);
                    spec.commandLine().getErr().flush();
                    return CommandFailure.EXIT_FAILURE;
                }
                return 0;
            }
        });
    }

    private static void print(Summary s, PrintWriter out) {
        ModelFolder f = s.folder();
        out.printf(Locale.ROOT, "%s: %s, %d %s, %d tensors, %s of tensor data%n", f.path(), f.isFolder() ? "folder" : "file",
                f.files().size(), f.files().size() == 1 ? "safetensors file" : "safetensors files", f.names().size(),
                ByteSize.format(f.totalSize()));
        if (s.config() != null) {
            out.println("config: " + configSummary(s.config()));
        }
        if (s.unreadable() != null) {
            out.println("layout: unreadable: " + s.unreadable());
        } else if (s.quantized().isPresent()) {
            QuantizedCheckpoint q = s.quantized().get();
            out.printf(Locale.ROOT, "layout: %s %s (%s), %d quantized weights, %.3f bits per weight%n", q.layout().orElseThrow().cliName(),
                    q.format().orElseThrow(), scheme(q), q.weights().size(), bitsPerWeight(q));
            out.println("excluded: " + (q.ignore().isEmpty() ? "(none listed)" : String.join(", ", q.ignore())));
        } else {
            out.println("layout: dense (no quantized weights)");
        }
        Map<String, long[]> byType = new TreeMap<>();
        for (String name : f.names()) {
            TensorInfo t = f.info(name);
            long[] counts = byType.computeIfAbsent(t.dtype().name(), k -> new long[2]);
            counts[0]++;
            counts[1] += t.byteSize();
        }
        List<String> types = new ArrayList<>();
        byType.forEach((type, c) -> types.add(type + " " + c[0] + " (" + ByteSize.format(c[1]) + ")"));
        out.println("dtypes: " + String.join(", ", types));
        out.println();
        boolean files = f.files().size() > 1;
        TextTable table = files
                ? new TextTable(new String[] {"tensor", "dtype", "shape", "bytes", "file"}, true, true, true, false, true)
                : new TextTable(new String[] {"tensor", "dtype", "shape", "bytes"}, true, true, true);
        for (String name : f.names().stream().sorted(Tables.NATURAL).toList()) {
            TensorInfo t = f.info(name);
            if (files) {
                table.row(name, t.dtype().name(), Tables.shape(t.shape()), Long.toString(t.byteSize()),
                        f.file(name).getFileName().toString());
            } else {
                table.row(name, t.dtype().name(), Tables.shape(t.shape()), Long.toString(t.byteSize()));
            }
        }
        table.print(out);
        if (s.checkpoint() != null) {
            out.println();
            s.checkpoint().notes().forEach(n -> out.println("note: " + n));
            if (s.checkpoint().problems().isEmpty()) {
                out.println("problems: none found");
            } else {
                s.checkpoint().problems().forEach(p -> out.println("problem: " + p));
            }
        }
    }

    private static Map<String, Object> toJson(Summary s) {
        ModelFolder f = s.folder();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", f.path().toString());
        json.put("folder", f.isFolder());
        List<Object> files = new ArrayList<>();
        for (Path p : f.files()) {
            SafetensorsHeader h = f.header(p);
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("name", p.getFileName().toString());
            file.put("bytes", h.fileSize());
            file.put("tensors", h.size());
            file.put("metadata", h.metadata());
            files.add(file);
        }
        json.put("files", files);
        json.put("tensor_bytes", f.totalSize());
        if (s.config() != null) {
            Map<String, Object> config = new LinkedHashMap<>();
            for (String key : List.of("model_type", "architectures", "torch_dtype", "dtype", "hidden_size", "num_hidden_layers")) {
                if (s.config().containsKey(key)) {
                    config.put(key, s.config().get(key));
                }
            }
            json.put("config", config);
        }
        if (s.unreadable() != null) {
            json.put("layout", null);
            json.put("unreadable", s.unreadable());
        } else if (s.quantized().isPresent()) {
            QuantizedCheckpoint q = s.quantized().get();
            json.put("layout", q.layout().orElseThrow().cliName());
            json.put("format", q.format().orElseThrow().name());
            json.put("scheme", scheme(q));
            json.put("quantized_weights", q.weights().size());
            json.put("bits_per_weight", bitsPerWeight(q));
            json.put("excluded", q.ignore());
        } else {
            json.put("layout", null);
        }
        if (s.checkpoint() != null) {
            json.put("problems", s.checkpoint().problems());
            json.put("notes", s.checkpoint().notes());
        }
        List<Object> tensors = new ArrayList<>();
        for (String name : f.names().stream().sorted(Tables.NATURAL).toList()) {
            TensorInfo t = f.info(name);
            Map<String, Object> tensor = new LinkedHashMap<>();
            tensor.put("name", name);
            tensor.put("dtype", t.dtype().name());
            tensor.put("shape", t.shape());
            tensor.put("bytes", t.byteSize());
            tensor.put("file", f.file(name).getFileName().toString());
            tensors.add(tensor);
        }
        json.put("tensors", tensors);
        return json;
    }

    /** {@code model_type llama, architectures LlamaForCausalLM, torch_dtype bfloat16}. */
    private static String configSummary(Map<String, Object> config) {
        List<String> parts = new ArrayList<>();
        for (String key : List.of("model_type", "architectures", "torch_dtype", "dtype", "hidden_size", "num_hidden_layers")) {
            Object v = config.get(key);
            if (v != null) {
                parts.add(key + " " + (v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : v));
            }
        }
        Json.object(config, "quantization_config").flatMap(q -> Json.string(q, "quant_method"))
                .ifPresent(m -> parts.add("quantization_config.quant_method " + m));
        return parts.isEmpty() ? "(no model_type)" : String.join(", ", parts);
    }

    /** The scheme the configs name: modelopt's quant_algo, compressed-tensors' format, or gpt-oss's mxfp4. */
    private static String scheme(QuantizedCheckpoint q) {
        CheckpointLayout layout = q.layout().orElseThrow();
        Optional<Map<String, Object>> qc = q.quantizationConfig();
        return switch (layout) {
            case MODELOPT -> q.hfQuantConfig().flatMap(h -> Json.object(h, "quantization")).flatMap(h -> Json.string(h, "quant_algo"))
                    .or(() -> qc.flatMap(c -> Json.string(c, "quant_algo"))).orElse("quant_algo not given");
            case COMPRESSED_TENSORS -> qc.flatMap(c -> Json.string(c, "format")).orElse("format not given");
            case GPT_OSS -> "mxfp4";
        };
    }

    /** Storage bits per element of the quantized weights: codes, block scales and tensor scales. */
    private static double bitsPerWeight(QuantizedCheckpoint q) {
        long bytes = 0;
        long elements = 0;
        for (QuantizedWeight w : q.weights()) {
            for (String c : w.components()) {
                bytes += q.folder().info(c).byteSize();
            }
            elements += w.elementCount();
        }
        return elements == 0 ? 0 : 8.0 * bytes / elements;
    }
}
