// XdtOracle: the differential oracle of webxsl's XDT engine. It runs Microsoft's own
// XML-Document-Transform engine (Microsoft.Web.XmlTransform.dll, as Debian ships it in
// libnuget-core-cil) on Mono:
//
//     mono XdtOracle.exe SOURCE TRANSFORM [TRANSFORM...]
//
// SOURCE is loaded as an XmlTransformableDocument with PreserveWhitespace = true (as MSBuild's
// TransformXml task and dotnet-transform-xdt do) and each TRANSFORM is applied to it in order.
// stdout: the resulting document's bytes as its own Save writes them (UTF-8 for a UTF-8 file).
// stderr: the engine's log, one line per logger call (see Log below).
// Exit code: 0 if every Apply returned true, 1 if one returned false, 2 for a usage or load error.
// Every transform is applied even after one fails, and the document is written all the same.
//
//     mono XdtOracle.exe --batch
//
// Batch mode runs many such jobs in one process (Mono's start-up is most of a one-shot run's time).
// stdin: one job per line, fields separated by tabs:
//     OUT_PATH<TAB>LOG_PATH<TAB>SOURCE<TAB>TRANSFORM[<TAB>TRANSFORM...]
// Each job does what a one-shot run does, with the document's bytes written to the file OUT_PATH
// and the log (the same bytes one-shot writes to stderr) to the file LOG_PATH, and then writes one
// status line to stdout, flushed at once:
//     ok                  every Apply returned true (one-shot exit code 0)
//     failed              an Apply returned false; the document is written all the same (exit 1)
//     error<TAB>MESSAGE   anything else (exit 2, or an exception): a SOURCE or TRANSFORM that
//                         cannot be loaded, a malformed job line, a file that cannot be written;
//                         OUT_PATH is not written; MESSAGE is one line without tabs
// Empty lines are skipped (no status line); every other line gets exactly one status line, in
// order. A job's failure never ends the batch; end of input ends it with exit code 0.
using System;
using System.IO;
using System.Text;
using Microsoft.Web.XmlTransform;

static class XdtOracle
{
    static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--batch")
            return Batch();

        var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false));
        stderr.NewLine = "\n";
        stderr.AutoFlush = true;
        if (args.Length < 2)
        {
            stderr.WriteLine("usage: mono XdtOracle.exe SOURCE TRANSFORM [TRANSFORM...]");
            stderr.WriteLine("       mono XdtOracle.exe --batch  (jobs on stdin; see XdtOracle.cs)");
            return 2;
        }

        var transforms = new string[args.Length - 1];
        Array.Copy(args, 1, transforms, 0, transforms.Length);
        bool ok;
        string error;
        var bytes = Run(args[0], transforms, stderr, out ok, out error);
        if (bytes == null)
            return 2;
        using (var stdout = Console.OpenStandardOutput())
            bytes.WriteTo(stdout);
        return ok ? 0 : 1;
    }

    // One job: loads SOURCE, applies each TRANSFORM in order with a fresh Log writing to logWriter,
    // and returns the saved document (ok: every Apply returned true). When SOURCE or a TRANSFORM
    // cannot be loaded it writes "XdtOracle: cannot load PATH: MESSAGE" to logWriter, sets error to
    // "cannot load PATH: MESSAGE" and returns null. Exceptions of Apply and Save are not caught.
    static MemoryStream Run(string source, string[] transforms, TextWriter logWriter,
        out bool ok, out string error)
    {
        ok = true;
        error = null;
        var log = new Log(logWriter);
        var doc = new XmlTransformableDocument();
        doc.PreserveWhitespace = true;
        try
        {
            doc.Load(source);
        }
        catch (Exception e)
        {
            error = string.Format("cannot load {0}: {1}", source, e.Message);
            logWriter.WriteLine("XdtOracle: " + error);
            return null;
        }

        foreach (var path in transforms)
        {
            XmlTransformation transformation;
            try
            {
                transformation = new XmlTransformation(path, log);
            }
            catch (Exception e)
            {
                error = string.Format("cannot load {0}: {1}", path, e.Message);
                logWriter.WriteLine("XdtOracle: " + error);
                return null;
            }
            using (transformation)
                ok &= transformation.Apply(doc);
        }

        var bytes = new MemoryStream();
        doc.Save(bytes);
        return bytes;
    }

    static int Batch()
    {
        var utf8 = new UTF8Encoding(false);
        var status = new StreamWriter(Console.OpenStandardOutput(), utf8);
        status.NewLine = "\n";
        // Only status lines go to stdout: anything else written to Console.Out goes to stderr.
        var stderr = new StreamWriter(Console.OpenStandardError(), utf8);
        stderr.NewLine = "\n";
        stderr.AutoFlush = true;
        Console.SetOut(stderr);

        var stdin = new StreamReader(Console.OpenStandardInput(), utf8);
        string line;
        while ((line = stdin.ReadLine()) != null)
        {
            if (line.Length == 0)
                continue;
            string result;
            try
            {
                result = Job(line.Split('\t'), utf8);
            }
            catch (Exception e)
            {
                result = "error\t" + OneLine(e.GetType().Name + ": " + e.Message);
            }
            status.WriteLine(result);
            status.Flush();
        }
        return 0;
    }

    // One batch job; returns its status line. The log file is written even when the job fails to
    // load (with the line one-shot writes to stderr then); OUT_PATH only when a document is saved.
    static string Job(string[] fields, Encoding utf8)
    {
        if (fields.Length < 4)
            return "error\tjob line needs OUT_PATH, LOG_PATH, SOURCE and TRANSFORM separated by tabs";
        for (int i = 0; i < fields.Length; i++)
            if (fields[i].Length == 0)
                return "error\tjob line has an empty field (" + (i + 1) + ")";
        var transforms = new string[fields.Length - 3];
        Array.Copy(fields, 3, transforms, 0, transforms.Length);

        bool ok;
        string error;
        MemoryStream bytes;
        using (var logWriter = new StreamWriter(fields[1], false, utf8))
        {
            logWriter.NewLine = "\n";
            bytes = Run(fields[2], transforms, logWriter, out ok, out error);
        }
        if (bytes == null)
            return "error\t" + OneLine(error);
        using (var outFile = new FileStream(fields[0], FileMode.Create, FileAccess.Write))
            bytes.WriteTo(outFile);
        return ok ? "ok" : "failed";
    }

    static string OneLine(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s)
            b.Append(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
        return b.ToString();
    }
}

// The log, in the shape of the logs of Microsoft's XDT tests:
//   messages are indented two spaces per open section (StartSection .. EndSection);
//   warnings and errors are not indented: "FILE (LINE, COL) warning: MESSAGE" (FILE is the base
//   name; LINE and COL are 0 when the engine gives a file but no position), or
//   "warning: MESSAGE" when the engine gives no file; the same with "error:";
//   an exception is logged as an error whose message is the exception's.
sealed class Log : IXmlTransformationLogger
{
    readonly TextWriter w;
    int depth;

    public Log(TextWriter w) { this.w = w; }

    static string F(string message, object[] args) =>
        args == null || args.Length == 0 ? message : string.Format(message, args);

    void Line(string text) => w.WriteLine(new string(' ', 2 * depth) + text);

    void Problem(string kind, string file, int line, int col, string message)
    {
        if (string.IsNullOrEmpty(file))
            w.WriteLine("{0}: {1}", kind, message);
        else
            w.WriteLine("{0} ({1}, {2}) {3}: {4}", Path.GetFileName(file), line, col, kind, message);
    }

    public void LogMessage(string m, params object[] a) => Line(F(m, a));
    public void LogMessage(MessageType t, string m, params object[] a) => Line(F(m, a));

    public void LogWarning(string m, params object[] a) => Problem("warning", null, 0, 0, F(m, a));
    public void LogWarning(string file, string m, params object[] a) =>
        Problem("warning", file, 0, 0, F(m, a));
    public void LogWarning(string file, int line, int col, string m, params object[] a) =>
        Problem("warning", file, line, col, F(m, a));

    public void LogError(string m, params object[] a) => Problem("error", null, 0, 0, F(m, a));
    public void LogError(string file, string m, params object[] a) =>
        Problem("error", file, 0, 0, F(m, a));
    public void LogError(string file, int line, int col, string m, params object[] a) =>
        Problem("error", file, line, col, F(m, a));

    public void LogErrorFromException(Exception e) => Problem("error", null, 0, 0, e.Message);
    public void LogErrorFromException(Exception e, string file) =>
        Problem("error", file, 0, 0, e.Message);
    public void LogErrorFromException(Exception e, string file, int line, int col) =>
        Problem("error", file, line, col, e.Message);

    public void StartSection(string m, params object[] a) => StartSection(MessageType.Normal, m, a);
    public void StartSection(MessageType t, string m, params object[] a)
    {
        Line(F(m, a));
        depth++;
    }

    public void EndSection(string m, params object[] a) => EndSection(MessageType.Normal, m, a);
    public void EndSection(MessageType t, string m, params object[] a)
    {
        if (depth > 0) depth--;
        Line(F(m, a));
    }
}
