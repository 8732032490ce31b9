import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { SectionNav, type SectionLink } from "~/components/section-nav";
import { SignOutForm } from "~/components/sign-out-form";
import { requireCoordinator } from "~/utils/auth.server";
import { PAGE_CONTENT_ID, areaPageHandle } from "~/utils/skip-link";

export const handle = areaPageHandle;

export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  return json({ coordinator });
}

const LINKS: SectionLink[] = [
  { to: "/admin", label: "Panoramica", end: true },
  { to: "/admin/adesioni", label: "Adesioni" },
  { to: "/admin/importa", label: "Importa" },
  { to: "/admin/tavoli", label: "Tavoli tecnici" },
  { to: "/admin/comunicazioni", label: "Comunicazioni" },
  { to: "/admin/posta", label: "Posta in uscita" },
  { to: "/admin/registro", label: "Registro attività" },
];

export default function AdminLayout() {
  const { coordinator } = useLoaderData<typeof loader>();
  const links =
    coordinator.role === "admin"
      ? [...LINKS, { to: "/admin/coordinatori", label: "Coordinatori" }, { to: "/admin/cancellazioni", label: "Cancellazioni" }]
      : LINKS;
  return (
    <div className="container-fluid my-4 px-lg-5">
      <div className="d-flex flex-wrap justify-content-between align-items-center mb-3 gap-2">
        <SectionNav label="Area coordinatori" links={links} />
        <div className="d-flex align-items-center gap-3">
          <span>
            {coordinator.name}{" "}
            {/* On a phone the address broke over three lines with a lone «)»: there the name is enough. */}
            <span className="text-muted d-none d-md-inline">({coordinator.email})</span>
          </span>
          <NavLink to="/admin/account">Il mio account</NavLink>
          <SignOutForm action="/logout" buttonClassName="btn btn-outline-primary btn-sm" />
        </div>
      </div>
      <div id={PAGE_CONTENT_ID} tabIndex={-1}>
        <Outlet />
      </div>
    </div>
  );
}
