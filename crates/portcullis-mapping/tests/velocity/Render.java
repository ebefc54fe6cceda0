// Renders Velocity templates with Apache Velocity 1.7 for the differential test
// (tests/velocity_differential.rs). One JVM renders every case.
//
// Framing, both directions, all text UTF-8:
//   in:  "<id>\t<n>\n" then n bytes of template, then "\n"
//   out: "<id>\t<status>\t<n>\n" then n bytes, then "\n"
// status is OK (the bytes are the output), PARSE (the template did not parse) or
// RUNTIME (rendering threw); for the last two the bytes are the exception's class
// and message, for reading only. The input ends at end of file.

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.exception.ParseErrorException;
import org.apache.velocity.runtime.RuntimeConstants;

public final class Render {
    private Render() {}

    public static void main(String[] args) throws IOException {
        InputStream in = new BufferedInputStream(System.in);
        OutputStream out = new BufferedOutputStream(System.out);
        String header;
        while ((header = readLine(in)) != null) {
            int tab = header.indexOf('\t');
            if (tab < 0) {
                throw new IOException("bad header: " + header);
            }
            String id = header.substring(0, tab);
            int length = Integer.parseInt(header.substring(tab + 1));
            byte[] body = in.readNBytes(length);
            if (body.length != length || in.read() != '\n') {
                throw new IOException("truncated case " + id);
            }
            String template = new String(body, StandardCharsets.UTF_8);
            String status;
            String text;
            try {
                text = render(id, template);
                status = "OK";
            } catch (ParseErrorException e) {
                status = "PARSE";
                text = e.toString();
            } catch (Throwable e) {
                // Method exceptions, stack overflows: whatever the render threw.
                status = "RUNTIME";
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                text = e.getClass().getName() + " <- " + cause;
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((id + "\t" + status + "\t" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.write('\n');
        }
        out.flush();
    }

    // A fresh engine per case, with Velocity's defaults apart from logging, so a
    // macro one case defines cannot leak into another.
    private static String render(String id, String template) {
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty(RuntimeConstants.RUNTIME_LOG_LOGSYSTEM_CLASS,
                "org.apache.velocity.runtime.log.NullLogChute");
        engine.init();
        StringWriter writer = new StringWriter();
        engine.evaluate(new VelocityContext(), writer, id, template);
        return writer.toString();
    }

    // One line without its "\n"; null at end of input.
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n') {
            line.write(b);
            b = in.read();
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
