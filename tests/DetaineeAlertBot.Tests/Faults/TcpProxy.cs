using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>What the proxy does with the next new connection.</summary>
internal enum ProxyMode
{
    /// <summary>Forward both ways.</summary>
    Pass,

    /// <summary>Read the request, then close the socket without answering (a peer closing the connection).</summary>
    Close,

    /// <summary>Read the request and never answer (a peer that times out).</summary>
    Hang,
}

/// <summary>A TCP proxy on 127.0.0.1 in front of a real server, for faults the server itself will not produce: an outage
/// (every connection reset, new ones refused, as while a database restarts) and per-connection misbehaviour.</summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, bool> _sockets = new();
    private readonly ConcurrentQueue<ProxyMode> _next = new();
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();

    private TcpProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    public static TcpProxy Start(string host, int port)
    {
        var target = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var listenPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new TcpProxy(target, listenPort);
        proxy.Listen();
        return proxy;
    }

    /// <summary>The next new connections get these modes, in order; later ones pass.</summary>
    public void Next(params ProxyMode[] modes)
    {
        foreach (var mode in modes) _next.Enqueue(mode);
    }

    /// <summary>An outage: resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cts.Cancel();
        _listener?.Stop();
        _listener = null;
        DropAll();
    }

    /// <summary>Drops every open connection (the client's pooled connections die) and keeps listening.</summary>
    public void DropAll()
    {
        foreach (var socket in _sockets.Keys)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0); // RST, as a dying server's kernel would
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
            _sockets.TryRemove(socket, out _);
        }
    }

    public void Restore()
    {
        if (_listener is not null) return;
        _cts = new CancellationTokenSource();
        Listen();
    }

    private void Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        var token = _cts.Token;
        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync(token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(() => ServeAsync(client, token), CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    private async Task ServeAsync(Socket client, CancellationToken token)
    {
        _sockets[client] = true;
        var mode = _next.TryDequeue(out var m) ? m : ProxyMode.Pass;
        try
        {
            if (mode != ProxyMode.Pass)
            {
                var buffer = new byte[65536];
                await client.ReceiveAsync(buffer, SocketFlags.None, token);
                if (mode == ProxyMode.Hang) await Task.Delay(Timeout.Infinite, token);
                return;
            }

            using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_target, token);
            _sockets[server] = true;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var up = PumpAsync(client, server, stop.Token);
            var down = PumpAsync(server, client, stop.Token);
            await Task.WhenAny(up, down);
            await stop.CancelAsync();
            _sockets.TryRemove(server, out _);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, dropped, or the peer went away.
        }
        finally
        {
            _sockets.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken token)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0) break;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, token);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Either side closed.
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }
}
