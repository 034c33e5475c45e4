package io.affinity.bench;

import io.javalin.Javalin;

/**
 * The HTTP ceiling with nothing of Affinity in it: Javalin (the version the server uses) with its defaults and one
 * trivial endpoint, {@code GET /health} answering a constant 16-byte JSON body. {@code benchmarks/load.sh} has
 * measured the customer endpoint against the server's own {@code /health}, which also passes through the
 * server's request handling (graceful-stop counting, caching headers, the request logger's metrics and unread-body
 * check) and writes its body through Jackson; {@code benchmarks/ceiling.sh} runs this beside the server, in the
 * same run, to show how far that {@code /health} sits below the framework's own ceiling.
 *
 * <pre>
 * java -cp cli/target/affinity.jar:benchmarks/target/benchmarks.jar io.affinity.bench.BareJavalin PORT
 * </pre>
 * (the server's jar first: the benchmarks jar leaves out the servlet API Javalin needs). Listens on 127.0.0.1 until
 * killed.
 */
public final class BareJavalin {
    private static final String BODY = "{\"status\":\"ok\"}\n";

    private BareJavalin() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: BareJavalin PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = "127.0.0.1";
            c.jetty.port = port;
            c.routes.get("/health", ctx -> ctx.contentType("application/json").result(BODY));
        });
        app.start();
        System.out.println("bare javalin on 127.0.0.1:" + port);
    }
}
