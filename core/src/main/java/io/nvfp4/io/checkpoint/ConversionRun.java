package io.nvfp4.io.checkpoint;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsWriter;
import io.nvfp4.io.ShardPlan;
import io.nvfp4.io.Tensor;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.io.TensorSpec;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One conversion in progress (see {@link Converter} for what it does and promises): plans every
 * tensor, then writes the shards one after another, each in two passes over its chunks on the
 * workers (amax, then quantize-write-measure), then the other files, configs, index and report.
 */
final class ConversionRun {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelFolder source;
    private final Path output;
    private final ConversionOptions options;
    private final ConversionListener listener;
    private final Backend backend = Backends.get();
    private final Map<String, Float> amax = new ConcurrentHashMap<>();
    private final Map<String, TensorReport> reports = new ConcurrentHashMap<>();
    private final AtomicInteger done = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();
    private ConversionPlan plan;
    private List<ConversionPlan.Entry> entries;

    ConversionRun(ModelFolder source, Path output, ConversionOptions options, ConversionListener listener) {
        this.source = source;
        this.output = output;
        this.options = options;
        this.listener = listener;
    }

    ConversionReport run() throws IOException {
        long start = System.nanoTime();
        refuseQuantizedInput();
        plan = ConversionPlan.of(source, options);
        entries = plan.entries();
        ShardPlan shards = ShardPlan.of(entries.stream().map(ConversionPlan.Entry::outputs).toList(), options.maxShardSize());
        listener.started(entries.size(), source.totalSize());
        OutputFolder.prepare(output, options.overwrite(), source.path());
        List<Path> created = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try (Workers workers = new Workers(options.threads())) {
            List<ShardPlan.Shard> list = shards.shards();
            for (int i = 0; i < list.size(); i++) {
                Path file = writeShard(list.get(i), workers);
                created.add(file);
                files.add(file.getFileName().toString());
                listener.fileWritten(file, i + 1, list.size());
            }
            writeOtherFiles(shards, created, files);
            files.add(Converter.REPORT_FILE);
            List<TensorReport> ordered = entries.stream().map(e -> reports.get(e.source().name())).toList();
            ConversionReport report = new ConversionReport(source.path(), output, options.layout(), options.format(),
                    scheme(), backend.name(), options.threads(), options.fuseScales(),
                    (System.nanoTime() - start) / 1e9, ordered, files, notes);
            report.write(output.resolve(Converter.REPORT_FILE));
            return report;
        } catch (IOException | RuntimeException | Error e) {
            OutputFolder.deleteQuietly(created, e);
            throw e;
        }
    }

    private String scheme() {
        return options.layout() == CheckpointLayout.MODELOPT ? QuantizationConfigs.MODELOPT_QUANT_ALGO
                : options.format() == BlockFormat.NVFP4 ? QuantizationConfigs.CT_NVFP4_FORMAT
                : QuantizationConfigs.CT_MXFP4_FORMAT;
    }

    private void refuseQuantizedInput() throws IOException {
        Map<String, Object> config = source.config().orElse(Map.of());
        if (config.get(QuantizationConfigs.QUANTIZATION_CONFIG) instanceof Map<?, ?> qc) {
            throw new CheckpointException(source.path() + " is already quantized (config.json quantization_config, quant_method '"
                    + qc.get("quant_method") + "'); convert takes a dense model (dequantize it first)");
        }
        QuantizedCheckpoint existing = QuantizedCheckpoint.of(source);
        if (existing.isQuantized()) {
            throw new CheckpointException(source.path() + " is already quantized (" + existing.layout().orElseThrow() + " "
                    + existing.format().orElseThrow() + " tensors); convert takes a dense model (dequantize it first)");
        }
    }

    /** Writes one output file: amax pass, then quantize and copy, all chunks on the workers. */
    private Path writeShard(ShardPlan.Shard shard, Workers workers) throws IOException {
        Path target = output.resolve(shard.fileName());
        Set<ConversionPlan.Entry> inShard = new LinkedHashSet<>();
        for (TensorSpec t : shard.tensors()) {
            inShard.add(plan.byOutput(t.name()));
        }
        Map<String, String> metadata = new LinkedHashMap<>(source.metadata());
        metadata.putIfAbsent("format", "pt");
        try (SafetensorsWriter writer = SafetensorsWriter.create(target, shard.tensors(), metadata)) {
            computeAmax(inShard, workers);
            List<Workers.Work> work = new ArrayList<>();
            for (ConversionPlan.Entry e : inShard) {
                if (e.quantize()) {
                    quantizeWork(e, writer, work);
                } else {
                    copyWork(e, writer, work);
                }
            }
            workers.run(work);
            writer.commit();
        }
        return target;
    }

    /** First pass: the amax of every quantized tensor of the shard and of their scale-group siblings. */
    private void computeAmax(Set<ConversionPlan.Entry> inShard, Workers workers) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (ConversionPlan.Entry e : inShard) {
            if (e.quantize() && options.format().hasTensorScale()) {
                names.addAll(plan.scaleSiblings(e.source().name()));
            }
        }
        names.removeIf(amax::containsKey);
        Map<String, AtomicInteger> maxBits = new HashMap<>();
        List<Workers.Work> work = new ArrayList<>();
        for (String name : names) {
            Tensor t = source.tensor(name);
            AtomicInteger bits = new AtomicInteger();
            maxBits.put(name, bits);
            forEachChunk(t, (first, count) -> work.add(() -> {
                float a = amax(t.rows(first, count), name, first);
                // non-negative floats order like their bit patterns
                bits.accumulateAndGet(Float.floatToIntBits(a), Math::max);
            }));
        }
        workers.run(work);
        maxBits.forEach((name, bits) -> amax.put(name, Float.intBitsToFloat(bits.get())));
    }

    /** The largest |x| of a chunk, after checking every element is finite. */
    private float amax(FloatMatrix m, String name, long firstRow) throws CheckpointException {
        int k = Math.toIntExact(m.columns());
        float[] row = new float[k];
        float max = 0;
        for (long r = 0; r < m.rows(); r++) {
            m.readRow(r, 0, row, k);
            for (int i = 0; i < k; i++) {
                float v = row[i];
                if (!Float.isFinite(v)) {
                    throw new CheckpointException(source.path() + ": tensor '" + name + "': element at row " + (firstRow + r)
                            + ", column " + i + " is " + v + "; NaN and infinite values cannot be quantized"
                            + " (exclude the tensor to keep it dense)");
                }
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    private void quantizeWork(ConversionPlan.Entry e, SafetensorsWriter writer, List<Workers.Work> work) throws IOException {
        String name = e.source().name();
        BlockFormat format = options.format();
        Quantizer quantizer = options.tune(Quantizer.of(format, e.recipe()), options.seed());
        float tensorScale = Float.NaN;
        if (format.hasTensorScale()) {
            float a = (float) plan.scaleSiblings(name).stream().mapToDouble(amax::get).max().orElseThrow();
            if (a > 0) { // an all-zero tensor keeps the quantizer's own rule: tensor scale 1, zero codes
                quantizer = quantizer.withTensorAmax(a);
            }
            tensorScale = quantizer.tensorScaleFor(a);
            MemorySegment scale = MemorySegment.ofArray(new byte[4]);
            scale.set(F32_LE, 0, tensorScale);
            writer.write(e.outputs().get(2).name(), scale);
        }
        Tensor t = source.tensor(name);
        long k = t.columnCount();
        long codeBytesPerRow = format.codeBytesPerRow(k);
        long scalesPerRow = k / format.blockSize();
        String codes = e.outputs().get(0).name();
        String scales = e.outputs().get(1).name();
        int chunks = Math.toIntExact(Math.ceilDiv(t.rowCount(), rowsPerChunk(k)));
        Progress progress = new Progress(e, chunks, tensorScale);
        Quantizer q = quantizer;
        float expectedScale = tensorScale;
        forEachChunk(t, (first, count) -> work.add(() -> {
            FloatMatrix m = t.rows(first, count);
            QuantizedMatrix qm = backend.quantize(options.stochasticRounding()
                    ? q.withStochasticRounding(chunkSeed(options.seed(), name, first)) : q, m);
            if (format.hasTensorScale() && Float.compare(qm.tensorScale(), expectedScale) != 0) {
                throw new IllegalStateException(name + ": backend " + backend.name() + " gave tensor scale "
                        + qm.tensorScale() + " for rows " + first + "+" + count + ", expected " + expectedScale);
            }
            writer.write(codes, first * codeBytesPerRow, qm.codes());
            writer.write(scales, first * scalesPerRow, qm.scales());
            ErrorSummary error = Reconstruction.rows(m, qm, 0, backend);
            listener.progress(count * k * t.dtype().bits() / 8);
            progress.chunkDone(error);
        }));
    }

    private void copyWork(ConversionPlan.Entry e, SafetensorsWriter writer, List<Workers.Work> work) throws IOException {
        String name = e.source().name();
        MemorySegment data = source.tensor(name).data();
        long size = data.byteSize();
        int slices = Math.toIntExact(Math.max(1, Math.ceilDiv(size, Converter.COPY_SLICE))); // an empty tensor: one empty slice
        Progress progress = new Progress(e, slices, Float.NaN);
        for (int s = 0; s < slices; s++) {
            long offset = s * Converter.COPY_SLICE;
            long length = Math.min(Converter.COPY_SLICE, size - offset);
            work.add(() -> {
                writer.write(name, offset, data.asSlice(offset, length));
                listener.progress(length);
                progress.chunkDone(null);
            });
        }
    }

    /** What the report adds to a recipe's name when options change its bytes: the scale rule, the rounding. */
    private String tuningNote() {
        String note = "";
        if (options.scaleRule() != ScaleRule.REFERENCE) {
            note += ", scale rule " + options.scaleRule().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        if (options.stochasticRounding()) {
            note += ", stochastic rounding (seed " + options.seed() + ")";
        }
        return note;
    }

    /**
     * The stochastic stream of one chunk: the chunk's rows restart at 0 inside the quantizer, so the
     * seed mixes in the tensor and the first row to keep chunks and tensors from sharing draws.
     */
    private static long chunkSeed(long seed, String tensor, long firstRow) {
        return seed ^ (tensor.hashCode() * 0x9E3779B97F4A7C15L) ^ ((firstRow + 1) * 0xBF58476D1CE4E5B9L);
    }

    /** Calls {@code action} with each chunk's first row and row count. */
    private static void forEachChunk(Tensor t, ChunkAction action) throws IOException {
        long rows = t.rowCount();
        long per = rowsPerChunk(t.columnCount());
        for (long first = 0; first < rows; first += per) {
            action.accept(first, Math.min(per, rows - first));
        }
    }

    private static long rowsPerChunk(long columns) {
        return Math.max(1, Converter.CHUNK_ELEMENTS / columns);
    }

    /** After the shards: other files, configs, index. Each file is added to {@code created} once written. */
    private void writeOtherFiles(ShardPlan shards, List<Path> created, List<String> files) throws IOException {
        if (source.isFolder()) {
            Set<String> skip = Set.of(ModelFolder.INDEX, ModelFolder.CONFIG, QuantizationConfigs.HF_QUANT_CONFIG, Converter.REPORT_FILE);
            for (String name : OutputFolder.copyOtherFiles(source.path(), output, skip, notes)) {
                created.add(output.resolve(name));
                files.add(name);
            }
        }
        List<String> excluded = plan.excludedModules();
        String version = Converter.version();
        if (options.layout() == CheckpointLayout.MODELOPT) {
            write(QuantizationConfigs.HF_QUANT_CONFIG, QuantizationConfigs.hfQuantConfig(excluded, version),
                    Json.Style.INDENT_4, created, files);
        }
        if (shards.isSharded()) {
            shards.writeIndex(output);
            created.add(output.resolve(ModelFolder.INDEX));
            files.add(ModelFolder.INDEX);
        }
        var config = source.config();
        if (config.isPresent()) {
            Map<String, Object> quantization = options.layout() == CheckpointLayout.MODELOPT
                    ? QuantizationConfigs.modeloptQuantizationConfig(excluded, version)
                    : QuantizationConfigs.compressedTensorsConfig(options.format(), excluded);
            write(ModelFolder.CONFIG, QuantizationConfigs.withQuantizationConfig(config.get(), quantization),
                    Json.Style.INDENT_2, created, files);
        } else {
            notes.add("no config.json in the input: no quantization_config written"
                    + (options.layout() == CheckpointLayout.MODELOPT ? " (hf_quant_config.json describes the quantization)" : ""));
        }
    }

    private void write(String name, Object json, Json.Style style, List<Path> created, List<String> files)
            throws IOException {
        Json.write(output.resolve(name), json, style);
        created.add(output.resolve(name));
        files.add(name);
    }

    /** Counts a tensor's finished chunks; the last one files its report. */
    private final class Progress {
        private final ConversionPlan.Entry entry;
        private final float tensorScale;
        private int remaining;
        private ErrorSummary error = ErrorSummary.EMPTY;

        Progress(ConversionPlan.Entry entry, int chunks, float tensorScale) {
            this.entry = entry;
            this.remaining = chunks;
            this.tensorScale = tensorScale;
        }

        void chunkDone(ErrorSummary chunkError) {
            ErrorSummary total;
            synchronized (this) {
                if (chunkError != null) {
                    error = error.merge(chunkError);
                }
                if (--remaining > 0) {
                    return;
                }
                total = error;
            }
            TensorInfo t = entry.source();
            long after = entry.outputs().stream().mapToLong(TensorSpec::byteSize).sum();
            List<String> outputs = entry.outputs().stream().map(TensorSpec::name).toList();
            TensorReport report = entry.quantize()
                    ? new TensorReport(t.name(), t.shape(), t.dtype(), options.format(), null, Converter.recipeName(entry.recipe()) + tuningNote(),
                    total, tensorScale, plan.scaleGroup(t.name()), outputs, t.byteSize(), after)
                    : new TensorReport(t.name(), t.shape(), t.dtype(), null, entry.reason(), null, null, Float.NaN, null,
                    outputs, t.byteSize(), after);
            reports.put(t.name(), report);
            listener.tensorDone(report, done.incrementAndGet(), entries.size());
        }
    }

    /** Receives a chunk: first row and row count. */
    @FunctionalInterface
    private interface ChunkAction {
        void accept(long first, long count) throws IOException;
    }
}
