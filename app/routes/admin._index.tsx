import type { MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [{ title: "Panoramica - Area coordinatori" }];

export default function AdminOverview() {
  return <h1>Panoramica</h1>;
}
