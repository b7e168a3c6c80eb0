package io.nvfp4.cli;

import io.nvfp4.io.checkpoint.CheckpointDequantizer;
import io.nvfp4.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code nvfp4 dequantize QUANTIZED OUTPUT}: a quantized checkpoint back to a dense model. */
@Command(name = "dequantize",
        mixinStandardHelpOptions = true,
        description = "Dequantize a modelopt, compressed-tensors or gpt-oss MXFP4 checkpoint back to a dense model:"
                + " each quantized weight under its original name and shape, everything else copied, config.json"
                + " without its quantization_config.")
final class DequantizeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUANTIZED", description = "Quantized model folder or .safetensors file.")
    private Path input;

    @Parameters(index = "1", paramLabel = "OUTPUT", description = "Output folder: must not exist or be empty (see --force).")
    private Path output;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "bf16",
            description = "bf16, f16 or f32 (exact); default: ${DEFAULT-VALUE}.")
    private String dtype;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per processor).")
    private Integer threads;

    @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB", converter = ByteSize.class,
            description = "Most tensor data per output file (default: ${DEFAULT-VALUE}).")
    private long maxShardSize;

    @Option(names = "--force", description = "Replace the contents of a non-empty OUTPUT folder.")
    private boolean force;

    @Override
    public Integer call() throws Exception {
        return CommandFailure.run(spec, () -> {
            DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
                case "bf16" -> DType.BF16;
                case "f16", "fp16" -> DType.F16;
                case "f32", "fp32" -> DType.F32;
                default -> throw new ParameterException(spec.commandLine(), "--dtype must be bf16, f16 or f32, got '" + dtype + "'");
            };
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1) {
                throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
            }
            if (Files.isDirectory(output) && !force) {
                try (Stream<Path> entries = Files.list(output)) {
                    if (entries.findAny().isPresent()) {
                        throw new ParameterException(spec.commandLine(),
                                "OUTPUT " + output + " is not empty; pass --force to replace its contents");
                    }
                }
            }
            ProgressReporter progress = new ProgressReporter(spec.commandLine().getErr(), ProgressReporter.onTerminal(),
                    "dequantizing");
            CheckpointDequantizer.Report r;
            try {
                r = CheckpointDequantizer.dequantize(input, output,
                        new CheckpointDequantizer.Options(type, n, maxShardSize, force), progress);
            } finally {
                progress.finish();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "dequantized %d %s weights to %s; %d tensors copied unchanged; %s in %.1f s%n",
                    r.dequantized(), r.layout().cliName(), type, r.copied(), ByteSize.format(r.outputBytes()), r.seconds());
            out.println("wrote " + output + ": " + String.join(", ", r.files()));
            for (String note : r.notes()) {
                out.println("note: " + note);
            }
            out.flush();
            return 0;
        });
    }
}
