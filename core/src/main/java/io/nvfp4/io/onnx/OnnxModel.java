package io.nvfp4.io.onnx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of an ONNX model ({@code ModelProto}) that a weight loader needs: the main graph's
 * initializers as {@link OnnxTensor}s, its nodes (operator, inputs, outputs) to tell which weight
 * feeds which operation, the graph's input and output names, and the model's identity (IR version,
 * producer, opsets).
 *
 * <p>It reads the protobuf wire format itself (see {@link ProtoReader}) against the field numbers of
 * {@code onnx.proto}; fields it does not need are skipped, as protobuf requires. Everything is
 * validated as it is read: lengths and varints against the end of their message, tensor data against
 * the shape and type, external data against its file. An error is an {@link OnnxFormatException}
 * naming the source, the tensor and the offset.
 *
 * <pre>{@code
 * OnnxModel model = OnnxModel.read(Path.of("model.onnx"));
 * FloatMatrix w = model.initializer("onnx::MatMul_787").orElseThrow().asFloatMatrix();
 * }</pre>
 *
 * <p>Not read: sparse initializers, initializers of subgraphs (inside {@code If} or {@code Loop}
 * attributes), functions and training info. A model file is read into memory or mapped; raw tensor
 * data is sliced from it without copying.
 */
public final class OnnxModel {
    /** ModelProto fields. */
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    /** GraphProto fields. */
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    /** NodeProto fields. */
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_DOMAIN = 7;

    private final String source;
    private final long irVersion;
    private final String producer;
    private final Map<String, Long> opsets;
    private final String graphName;
    private final Map<String, OnnxTensor> initializers;
    private final List<OnnxNode> nodes;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxModel(String source, long irVersion, String producer, Map<String, Long> opsets, String graphName,
                      Map<String, OnnxTensor> initializers, List<OnnxNode> nodes, List<String> inputs,
                      List<String> outputs) {
        this.source = source;
        this.irVersion = irVersion;
        this.producer = producer;
        this.opsets = opsets;
        this.graphName = graphName;
        this.initializers = initializers;
        this.nodes = nodes;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * Reads an ONNX file, mapping it into memory. External data is looked up relative to the file's
     * folder, as ONNX defines it.
     *
     * @throws NoSuchFileException  if there is no such file
     * @throws OnnxFormatException  if it is not a valid ONNX model
     * @throws IOException          if it cannot be read
     */
    public static OnnxModel read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such ONNX model file");
        }
        MemorySegment data;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
        Path folder = file.toAbsolutePath().getParent();
        return parse(data, file.toString(), folder);
    }

    /**
     * Parses a model held in memory, such as a class-path resource. It cannot have external data:
     * there is no folder to find it in.
     *
     * @param bytes  the model file's bytes; the model keeps slices of it, so it must not change
     * @param source a name for messages (a resource name, say)
     * @throws OnnxFormatException if it is not a valid ONNX model or refers to external data
     */
    public static OnnxModel parse(byte[] bytes, String source) throws OnnxFormatException {
        try {
            return parse(MemorySegment.ofArray(Objects.requireNonNull(bytes, "bytes")), source, null);
        } catch (OnnxFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new OnnxFormatException(source, null, -1, e.getMessage(), e); // no folder: no file is opened
        }
    }

    /**
     * Parses a model from {@code data}, resolving external data in {@code externalDataFolder}.
     *
     * @param externalDataFolder where external data files are, or null to reject external data
     */
    public static OnnxModel parse(MemorySegment data, String source, Path externalDataFolder) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(source, "source");
        if (data.byteSize() == 0) {
            throw new OnnxFormatException(source, null, -1, "the file is empty: not an ONNX model");
        }
        MemorySegment readOnly = data.asReadOnly();
        ProtoReader r = new ProtoReader(readOnly, 0, readOnly.byteSize(), source);
        TensorParser tensors = new TensorParser(source, externalDataFolder);
        long irVersion = 0;
        String producer = "";
        String producerVersion = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        while (r.hasMore()) {
            long at = r.position();
            switch (r.readTag()) {
                case MODEL_IR_VERSION -> irVersion = expect(r, ProtoReader.VARINT, "ir_version", at).readVarint();
                case MODEL_PRODUCER_NAME -> producer = expect(r, ProtoReader.LEN, "producer_name", at).readString();
                case MODEL_PRODUCER_VERSION -> producerVersion = expect(r, ProtoReader.LEN, "producer_version", at).readString();
                case MODEL_OPSET_IMPORT -> readOpset(expect(r, ProtoReader.LEN, "opset_import", at).readMessage(), opsets);
                case MODEL_GRAPH -> {
                    if (graph != null) {
                        throw r.error(at, "a second graph field");
                    }
                    graph = readGraph(expect(r, ProtoReader.LEN, "graph", at).readMessage(), tensors);
                }
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw new OnnxFormatException(source, null, -1, "no graph (ModelProto field 7): not an ONNX model");
        }
        String producerText = producerVersion.isEmpty() ? producer : producer + " " + producerVersion;
        return new OnnxModel(source, irVersion, producerText, Map.copyOf(opsets), graph.name,
                graph.initializers, List.copyOf(graph.nodes), List.copyOf(graph.inputs), List.copyOf(graph.outputs));
    }

    /** Where the model was read from. */
    public String source() {
        return source;
    }

    /** The ONNX IR version the file declares. */
    public long irVersion() {
        return irVersion;
    }

    /** The producer name and version, such as {@code pytorch 2.0.1}; empty if not given. */
    public String producer() {
        return producer;
    }

    /** The operator set versions by domain (the standard ONNX domain is the empty string). */
    public Map<String, Long> opsets() {
        return opsets;
    }

    /** The main graph's name. */
    public String graphName() {
        return graphName;
    }

    /** The initializers in file order. */
    public Collection<OnnxTensor> initializers() {
        return initializers.values();
    }

    /** The initializer called {@code name}, if there is one. */
    public Optional<OnnxTensor> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /**
     * The initializer called {@code name}.
     *
     * @throws OnnxFormatException if the model has none: for a loader that expects it, the file is not
     *                             the model it was written for
     */
    public OnnxTensor requireInitializer(String name) throws OnnxFormatException {
        OnnxTensor t = initializers.get(name);
        if (t == null) {
            throw new OnnxFormatException(source, name, -1, "no such initializer in the graph");
        }
        return t;
    }

    /** The main graph's nodes in file order (topological, as ONNX requires). */
    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** The names of the graph's inputs (initializers listed as inputs too, as old IR versions did). */
    public List<String> inputs() {
        return inputs;
    }

    /** The names of the graph's outputs. */
    public List<String> outputs() {
        return outputs;
    }

    @Override
    public String toString() {
        return "OnnxModel[" + source + ", IR " + irVersion + ", " + producer + ", " + initializers.size()
                + " initializers, " + nodes.size() + " nodes]";
    }

    /** A graph while it is read. */
    private static final class Graph {
        String name = "";
        final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        final List<OnnxNode> nodes = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
    }

    private static Graph readGraph(ProtoReader r, TensorParser tensors) throws IOException {
        Graph g = new Graph();
        while (r.hasMore()) {
            long at = r.position();
            switch (r.readTag()) {
                case GRAPH_NAME -> g.name = expect(r, ProtoReader.LEN, "graph name", at).readString();
                case GRAPH_NODE -> g.nodes.add(readNode(expect(r, ProtoReader.LEN, "node", at).readMessage()));
                case GRAPH_INPUT -> g.inputs.add(readValueName(expect(r, ProtoReader.LEN, "graph input", at).readMessage()));
                case GRAPH_OUTPUT -> g.outputs.add(readValueName(expect(r, ProtoReader.LEN, "graph output", at).readMessage()));
                case GRAPH_INITIALIZER -> {
                    OnnxTensor t = tensors.parse(expect(r, ProtoReader.LEN, "initializer", at).readMessage(),
                            g.initializers.size());
                    if (g.initializers.putIfAbsent(t.name(), t) != null) {
                        throw new OnnxFormatException(tensors.source(), t.name(), at, "a second initializer of this name");
                    }
                }
                default -> r.skip();
            }
        }
        return g;
    }

    private static OnnxNode readNode(ProtoReader r) throws OnnxFormatException {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (r.hasMore()) {
            long at = r.position();
            switch (r.readTag()) {
                case NODE_INPUT -> inputs.add(expect(r, ProtoReader.LEN, "node input", at).readString());
                case NODE_OUTPUT -> outputs.add(expect(r, ProtoReader.LEN, "node output", at).readString());
                case NODE_NAME -> name = expect(r, ProtoReader.LEN, "node name", at).readString();
                case NODE_OP_TYPE -> opType = expect(r, ProtoReader.LEN, "op_type", at).readString();
                case NODE_DOMAIN -> domain = expect(r, ProtoReader.LEN, "node domain", at).readString();
                default -> r.skip();
            }
        }
        return new OnnxNode(name, opType, domain, inputs, outputs);
    }

    /** A ValueInfoProto's name (field 1); its type is not needed. */
    private static String readValueName(ProtoReader r) throws OnnxFormatException {
        String name = "";
        while (r.hasMore()) {
            long at = r.position();
            if (r.readTag() == 1) {
                name = expect(r, ProtoReader.LEN, "value name", at).readString();
            } else {
                r.skip();
            }
        }
        return name;
    }

    /** An OperatorSetIdProto: domain (1), version (2). */
    private static void readOpset(ProtoReader r, Map<String, Long> opsets) throws OnnxFormatException {
        String domain = "";
        long version = 0;
        while (r.hasMore()) {
            long at = r.position();
            switch (r.readTag()) {
                case 1 -> domain = expect(r, ProtoReader.LEN, "opset domain", at).readString();
                case 2 -> version = expect(r, ProtoReader.VARINT, "opset version", at).readVarint();
                default -> r.skip();
            }
        }
        opsets.put(domain, version);
    }

    /** Checks that the field just tagged has the wire type the schema gives it. */
    static ProtoReader expect(ProtoReader r, int wireType, String field, long at) throws OnnxFormatException {
        if (r.wireType() != wireType) {
            throw r.error(at, "field " + field + " has wire type " + r.wireType() + ", the ONNX schema says "
                    + wireType + ": not an ONNX model, or a corrupt one");
        }
        return r;
    }
}
