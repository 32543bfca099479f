package dev.musicgen.network;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.musicgen.cli.MusicGenCli;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.nn.UsageTracking;
import dev.musicgen.internal.t5.T5Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Started in a fresh JVM by {@link NoPhoneHomeTest}: traces every connection the process tries and lets none leave
 * the machine. A {@link SocketImplFactory} sees each direct {@link Socket} (DJL's {@code HttpURLConnection}s with
 * {@code Proxy.NO_PROXY}), records its address and refuses it; a {@link ProxySelector} sees each URL connection that
 * asks for a proxy ({@code java.net.http}, other {@code HttpURLConnection}s) and sends the non-loopback ones to a
 * closed loopback port. Then it runs the CLI ({@code cli <args>}) or just starts the engine and a tokenizer
 * ({@code engine <tokenizer.json>}), and prints {@code CONNECT <where>} per attempt and {@code TRACKING_OFF <bool>}
 * (DJL's own view) at the end.
 */
public final class ConnectionTraceMain {
    private ConnectionTraceMain() {}

    public static void main(String[] args) throws IOException {
        int closedPort = Integer.parseInt(args[0]);
        List<String> seen = new CopyOnWriteArrayList<>();
        Socket.setSocketImplFactory(() -> new RefusingSocket(seen));
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                seen.add(uri.toString());
                String host = uri.getHost() == null ? "" : uri.getHost();
                if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]")) {
                    return List.of(Proxy.NO_PROXY);
                }
                return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", closedPort)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException e) {
                // expected for every non-loopback URL: the proxy port is closed
            }
        });
        int code = 0;
        if (args[1].equals("cli")) {
            code = MusicGenCli.run(Arrays.copyOfRange(args, 2, args.length));
        } else {
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
                m.ones(new ai.djl.ndarray.types.Shape(2)).sum().getFloat();
            }
            try (T5Tokenizer t = T5Tokenizer.load(Path.of(args[2]))) {
                t.source();
            }
        }
        System.out.println("EXIT " + code);
        seen.forEach(u -> System.out.println("CONNECT " + u));
        System.out.println("TRACKING_OFF " + UsageTracking.isOff());
        System.exit(0);
    }

    /** A socket that records where it was asked to connect and refuses. */
    private static final class RefusingSocket extends SocketImpl {
        private final List<String> seen;

        RefusingSocket(List<String> seen) {
            this.seen = seen;
        }

        private IOException refuse(String where) {
            seen.add("socket " + where);
            return new ConnectException("refused by the connection trace: " + where);
        }

        @Override
        protected void connect(String host, int port) throws IOException {
            throw refuse(host + ":" + port);
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw refuse(address.getHostAddress() + ":" + port);
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw refuse(
                    address instanceof InetSocketAddress a
                            ? a.getHostString() + ":" + a.getPort()
                            : String.valueOf(address));
        }

        @Override
        protected void create(boolean stream) {}

        @Override
        protected void bind(InetAddress host, int port) {}

        @Override
        protected void listen(int backlog) {}

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw new IOException("not a server socket");
        }

        @Override
        protected InputStream getInputStream() throws IOException {
            throw new IOException("not connected");
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            throw new IOException("not connected");
        }

        @Override
        protected int available() {
            return 0;
        }

        @Override
        protected void close() {}

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw new IOException("not connected");
        }

        @Override
        public void setOption(int optID, Object value) {}

        @Override
        public Object getOption(int optID) {
            return null;
        }
    }
}
