import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;
export type LambdaContext = Context;

/** The parsed request body: flat string parameters, as OAuth wants them. */
export type Params = Readonly<Record<string, string>>;
