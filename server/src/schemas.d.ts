/** The shape of every error answer. */
export declare const ErrorBody: import("@sinclair/typebox").TObject<{
    statusCode: import("@sinclair/typebox").TInteger;
    error: import("@sinclair/typebox").TString;
    message: import("@sinclair/typebox").TString;
    errors: import("@sinclair/typebox").TOptional<import("@sinclair/typebox").TArray<import("@sinclair/typebox").TObject<{
        path: import("@sinclair/typebox").TString;
        message: import("@sinclair/typebox").TString;
    }>>>;
}>;
export declare const errorResponses: (...codes: number[]) => {
    [k: string]: import("@sinclair/typebox").TRef<"ErrorBody">;
};
export declare const FieldErrorSchema: import("@sinclair/typebox").TObject<{
    path: import("@sinclair/typebox").TString;
    message: import("@sinclair/typebox").TString;
}>;
export declare const BatchSummarySchema: import("@sinclair/typebox").TObject<{
    batchId: import("@sinclair/typebox").TString;
    accepted: import("@sinclair/typebox").TInteger;
    rejected: import("@sinclair/typebox").TArray<import("@sinclair/typebox").TObject<{
        index: import("@sinclair/typebox").TInteger;
        line: import("@sinclair/typebox").TOptional<import("@sinclair/typebox").TInteger>;
        errors: import("@sinclair/typebox").TArray<import("@sinclair/typebox").TObject<{
            path: import("@sinclair/typebox").TString;
            message: import("@sinclair/typebox").TString;
        }>>;
    }>>;
    rejectedCount: import("@sinclair/typebox").TInteger;
}>;
