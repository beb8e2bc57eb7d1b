import Hummingbird

/// Answers errors that escape the routes (unknown paths, wrong methods) in OpenAI's error shape.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.status == .notFound
                ? "Unknown path \(request.method.rawValue) \(request.uri.path); the gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses, /v1/models and /v1/messages."
                : (error.body ?? error.status.reasonPhrase)
            return GatewayError(
                error.status, type: "invalid_request_error", code: error.status == .notFound ? "unknown_url" : "http_\(error.status.code)", message: message
            ).response()
        }
    }
}
